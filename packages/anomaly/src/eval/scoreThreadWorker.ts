/** The thread of scoreThread.ts: load the model, score the clips, answer. */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/tfBackend.js';
import { loadCameraModel, type CameraModel } from '../cameraModel.js';
import { memberModels } from './memberModels.js';
import { scoreClips } from './scoreClips.js';
import type { ScoreThreadMessage, ScoreThreadRequest } from './scoreThread.js';

const { modelDir, clips, size, fps, memberPixels } = workerData as ScoreThreadRequest;
const post = (m: ScoreThreadMessage) => parentPort!.postMessage(m);
try {
  await initBackend();
  const model = await loadCameraModel(modelDir);
  const withMasks = clips.some((c) => c.maskFiles);
  const singles = withMasks && memberPixels && model.manifest.members.length > 1 ? await memberModels(model) : new Map<string, CameraModel>();
  const share = await scoreClips(model, singles, clips, size, fps, () => post({ kind: 'frame' }));
  post({ kind: 'done', share });
} catch (err) {
  post({ kind: 'error', error: err instanceof Error ? err.message : String(err) });
}
