/** Where camera models live on disk: `<dataDir>/models/<cameraId>/<version>/`, versions sort by time. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function cameraModelsDir(dataDir: string, cameraId: string): string {
  return join(dataDir, 'models', cameraId);
}

export function modelVersionDir(dataDir: string, cameraId: string, version: string): string {
  return join(cameraModelsDir(dataDir, cameraId), version);
}

/** The newest complete version (one with a manifest) of a camera's model, if any. */
export function latestModelVersion(dataDir: string, cameraId: string): string | undefined {
  return newestVersionIn(cameraModelsDir(dataDir, cameraId));
}

/** The newest complete version folder's name in a camera's models folder (`vigil train --out`), if any. */
export function newestVersionIn(root: string): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'manifest.json')))
    .map((d) => d.name)
    .sort();
  return versions.at(-1);
}
