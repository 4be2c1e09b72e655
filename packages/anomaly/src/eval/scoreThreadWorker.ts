/** The thread of scoreThread.ts: load the model, score the clips, answer. */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/tfBackend.js';
import { loadCameraModel } from '../cameraModel.js';
import { scoreClips } from './scoreClips.js';
import type { ScoreThreadMessage, ScoreThreadRequest } from './scoreThread.js';

const { modelDir, clips, size, fps, memberPixels } = workerData as ScoreThreadRequest;
const post = (m: ScoreThreadMessage) => parentPort!.postMessage(m);
try {
  await initBackend();
  const model = await loadCameraModel(modelDir);
  const share = await scoreClips(model, clips, size, fps, memberPixels, () => post({ kind: 'frame' }));
  post({ kind: 'done', share });
} catch (err) {
  post({ kind: 'error', error: err instanceof Error ? err.message : String(err) });
}
