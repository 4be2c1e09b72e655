/**
 * Learning a camera's normal scene: fit its model on frames and publish it as a new version folder under
 * its models folder. `vigil train` runs this in its process; a worker's `learn` job runs it in a thread
 * (fitThread.ts). The version is written beside its final place and renamed into it, so a reader never
 * finds a half-written one.
 */
import { rm, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitCameraModel, saveCameraModel, type CameraModelManifest, type FitCameraModelOptions } from '../cameraModel.js';
import type { FrameInput } from '../frameInput.js';

export interface LearnedModel {
  version: string;
  /** The version's folder. */
  dir: string;
  manifest: CameraModelManifest;
  fitMs: number;
}

/** What `extra` returns for the fitted manifest is merged into the saved one (vigil train records how the model was made). */
export async function learnCameraModel(
  frames: FrameInput[],
  options: FitCameraModelOptions,
  modelsDir: string,
  extra: (manifest: CameraModelManifest) => Record<string, unknown> = () => ({}),
): Promise<LearnedModel> {
  const t0 = performance.now();
  const model = await fitCameraModel(frames, options);
  const fitMs = Math.round(performance.now() - t0);
  const { version } = model.manifest;
  const dir = join(modelsDir, version);
  const partial = join(modelsDir, `.partial-${version}`);
  await saveCameraModel(model, partial);
  const added = extra(model.manifest);
  const manifest = { ...model.manifest, ...added };
  if (Object.keys(added).length) await writeFile(join(partial, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return { version, dir, manifest, fitMs };
}
