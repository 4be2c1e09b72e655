/**
 * Which ingest process reads which camera, when several share one config: each camera is owned through
 * a lease in Redis (a key holding the owner's id, with a TTL the owner keeps renewing). A process that
 * dies stops renewing, its leases lapse, and the others take its cameras within a lease's length.
 * Acquire, renew and release are single commands or scripts, so two processes never both own a camera.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@vigil/core';

/**
 * Renews the lease if this owner still holds it, or takes it again if nobody does (a Redis restarted
 * empty lost every lease: the readers keep their cameras rather than all restarting); 1 when held.
 */
const RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

/** Deletes the lease if this owner holds it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class CameraLeases {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** This process, as the lease holds it (host, pid, a random part). */
    readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** Takes the camera's lease if nobody holds it; true when this owner holds it now. */
  async acquire(cameraId: string): Promise<boolean> {
    const key = this.keys.cameraLease(cameraId);
    if ((await this.redis.set(key, this.owner, 'PX', this.leaseMs, 'NX')) === 'OK') return true;
    // Held already: by this owner (a renewal that raced), or by another.
    return (await this.renew(cameraId)) === true;
  }

  /** Extends this owner's lease (taking it again if it vanished); false when another holds it (the camera must be let go). */
  async renew(cameraId: string): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.keys.cameraLease(cameraId), this.owner, String(this.leaseMs))) === 1;
  }

  async release(cameraId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.cameraLease(cameraId), this.owner);
  }

  /** Who holds the camera's lease now, if anyone. */
  holder(cameraId: string): Promise<string | null> {
    return this.redis.get(this.keys.cameraLease(cameraId));
  }
}
