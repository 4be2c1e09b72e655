/**
 * One single-member model per member of a fitted ensemble, for per-member pixel figures: a camera
 * score carries each member's frame score but only the combined map. The ensemble is saved once and
 * each member's part of the manifest reloaded on its own — same fitted state, same calibration, no refit.
 */
import { linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCameraModel, saveCameraModel, type CameraModel, type CameraModelManifest } from '../cameraModel.js';

export async function memberModels(model: CameraModel): Promise<Map<string, CameraModel>> {
  const out = new Map<string, CameraModel>();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-members-'));
  try {
    await saveCameraModel(model, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as CameraModelManifest;
    for (const member of manifest.members) {
      const sub = join(dir, member.name);
      mkdirSync(sub);
      for (const { file } of Object.values(member.arrays)) linkSync(join(dir, file), join(sub, file));
      writeFileSync(join(sub, 'manifest.json'), JSON.stringify({ ...manifest, members: [member] }));
      out.set(member.name, await loadCameraModel(sub));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
