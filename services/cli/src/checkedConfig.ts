/** The config as services use it: schema-valid (core) and naming only detectors this build knows. */
import { ConfigError, loadConfig, type Config } from '@vigil/core';
import { detectorNames } from '@vigil/anomaly';

export function loadCheckedConfig(file: string): Config {
  const config = loadConfig(file);
  const known = detectorNames();
  config.cameras.forEach((camera, i) => {
    const unknown = (camera.members ?? []).filter((m) => !known.includes(m));
    if (unknown.length > 0) {
      throw new ConfigError(`${file}: cameras[${i}].members: unknown detector${unknown.length > 1 ? 's' : ''} ${unknown.map((m) => `"${m}"`).join(', ')} (known: ${known.join(', ')})`);
    }
  });
  return config;
}
