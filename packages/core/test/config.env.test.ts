import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string): string {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}

const BASE = 'gateway: { tokens: [{ token: operator-token, role: operator }] }\ncameras: [{ id: cam1, url: rtsp://10.0.0.1/s }]\n';

describe('backend URLs from the environment', () => {
  it('win over the file: the Redis and PostgreSQL URLs come from a secret, not the shared config', () => {
    const f = file(`redis: { url: redis://in-file:6379 }\n${BASE}`);
    expect(loadConfig(f, {}).redis.url).toBe('redis://in-file:6379');
    expect(loadConfig(f, {}).history).toBeUndefined();
    const cfg = loadConfig(f, { VIGIL_REDIS_URL: 'redis://:secret@redis.vigil:6379', VIGIL_POSTGRES_URL: 'postgres://vigil:secret@pg.vigil:5432/vigil' });
    expect(cfg.redis.url).toBe('redis://:secret@redis.vigil:6379');
    expect(cfg.history).toEqual({ postgresUrl: 'postgres://vigil:secret@pg.vigil:5432/vigil' });
  });

  it('are checked like the file: a bad one is one error naming the key and the variable', () => {
    const f = file(BASE);
    expect(() => loadConfig(f, { VIGIL_REDIS_URL: 'http://not-redis' })).toThrow(ConfigError);
    expect(() => loadConfig(f, { VIGIL_REDIS_URL: 'http://not-redis' })).toThrow(/\(with VIGIL_REDIS_URL\): redis\.url: must start with redis:\/\//);
  });
});
