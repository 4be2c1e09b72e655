/**
 * A camera's temporal evidence (@vigil/anomaly's temporal stage) in Redis, shared by every worker: read
 * the state and its version, fold the frame in, write back only if the version is unchanged (a script:
 * compare-and-set, safe across reconnects), else read again. The fold does not depend on the order
 * frames arrive in, so concurrent workers reach the state one process would.
 */
import type { Redis } from 'ioredis';
import { VigilError, type RedisKeys } from '@vigil/core';
import { packEvidence, unpackEvidence, type AccumulatedScore, type CameraModel, type CameraScore } from '@vigil/anomaly';

// Evidence older than a few time constants is forgotten anyway; an idle camera's state goes with it.
const STATE_TTL_MS = 10 * 60 * 1000;
/** Workers of one camera rarely collide (each scores a couple of frames at once); after this many, something is wrong. */
const MAX_ATTEMPTS = 100;
const MAX_BACKOFF_MS = 20;

/** KEYS[1] the hash; ARGV: expected version ('' = none yet), packed state, TTL ms. Returns 1 when written. */
const COMPARE_AND_SET = `
local v = redis.call('HGET', KEYS[1], 'v') or ''
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'v', tostring((tonumber(v) or 0) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** The camera's evidence kept changing under this worker; the frame was not folded in (the job fails and is retried). */
export class EvidenceConflictError extends VigilError {}

export class CameraEvidence {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The frame's accumulated score, with the frame folded into its camera's evidence (unless cold or gated). */
  async fold(cameraId: string, model: CameraModel, instant: CameraScore, capturedAt: number, gated: boolean): Promise<CameraScore> {
    if (!model.manifest.temporal) return instant;
    const key = this.keys.evidence(cameraId);
    for (let attempt = 1; ; attempt++) {
      // One command: a state and a version read apart could straddle another worker's write.
      const [packed, versionBytes] = await this.redis.hmgetBuffer(key, 's', 'v');
      const version = versionBytes?.toString();
      const state = packed ? unpackEvidence(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength)) : undefined;
      const result: AccumulatedScore = model.accumulate(instant, state, capturedAt, { gated });
      if (result.state === state || !result.state) return result.score;
      const written = await this.redis.eval(COMPARE_AND_SET, 1, key, version ?? '', Buffer.from(packEvidence(result.state)), String(STATE_TTL_MS));
      if (written === 1) return result.score;
      // Another worker folded a frame in meanwhile: read again, after a short random wait so the two part.
      if (attempt >= MAX_ATTEMPTS) throw new EvidenceConflictError(`temporal evidence of camera "${cameraId}" kept changing: gave up after ${MAX_ATTEMPTS} attempts`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_BACKOFF_MS, attempt)));
    }
  }
}
