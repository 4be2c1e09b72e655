/** Puts analysed frames of one camera into Redis (bytes under a key with a TTL) and onto the frame queue,
 *  keeping a bound on frames in flight: when workers lag, new frames are dropped and counted, never queued without bound. */
import type { Queue } from 'bullmq';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Frame, FrameJob, RedisKeys } from '@vigil/core';
import { packBackground, type BackgroundImages } from '@vigil/anomaly/capture';
import { packYuv420 } from '@vigil/video';

export interface PublishOptions {
  maxInFlight: number;
  frameTtlSeconds: number;
}

export type PublishOutcome = 'queued' | 'dropped';

// Increment-then-check in one step, so concurrent publishers can never overshoot the bound.
const ACQUIRE_SLOT = `
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if n > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end
return 1`;

/** Counts a frame the camera delivered on its status (in `multi`): the frame counter, when, and its size. */
export function countFrameIn(multi: ChainableCommander, keys: RedisKeys, frame: Frame): ChainableCommander {
  const status = keys.cameraStatus(frame.cameraId);
  return multi.hincrby(status, 'framesIn', 1).hset(status, 'lastFrameAt', String(frame.capturedAt), 'width', String(frame.width), 'height', String(frame.height));
}

export class FramePublisher {
  private prevKey: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue<FrameJob>,
    private readonly keys: RedisKeys,
    private readonly opts: PublishOptions,
  ) {}

  /** `background`: the camera's background pair before this frame, stored beside it (key + ':bg') for the worker. */
  async publish(frame: Frame, background?: BackgroundImages): Promise<PublishOutcome> {
    const key = this.keys.frame(frame.cameraId, frame.seq);
    const bgKey = background ? `${key}:bg` : undefined;
    const status = this.keys.cameraStatus(frame.cameraId);
    // Every frame is stored, even one that is dropped, so the next frame still has its predecessor for motion.
    const multi = this.redis.multi();
    if (bgKey) multi.set(bgKey, Buffer.from(packBackground(background!)), 'EX', this.opts.frameTtlSeconds);
    // YUV 4:2:0: half the bytes of rgb24, and what the members measure (luma, 2 × 2 colour) kept up to rounding.
    const packed = packYuv420(frame.data, frame.width, frame.height);
    multi.set(key, Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength), 'EX', this.opts.frameTtlSeconds);
    await countFrameIn(multi, this.keys, frame).exec();
    const prevKey = this.prevKey;
    this.prevKey = key;
    // The slot expires with the frames, so a crashed worker cannot block a camera for good.
    const got = (await this.redis.eval(ACQUIRE_SLOT, 1, this.keys.inFlight(frame.cameraId), this.opts.maxInFlight, this.opts.frameTtlSeconds)) as number;
    if (got !== 1) {
      await this.redis.hincrby(status, 'dropped', 1);
      return 'dropped';
    }
    const job: FrameJob = {
      cameraId: frame.cameraId,
      seq: frame.seq,
      capturedAt: frame.capturedAt,
      width: frame.width,
      height: frame.height,
      key,
      encoding: 'yuv420',
      ...(prevKey ? { prevKey } : {}),
      ...(bgKey ? { bgKey } : {}),
    };
    await this.queue.add('frame', job, { removeOnComplete: true, removeOnFail: 100 });
    return 'queued';
  }

  /** Forget the previous frame (after a reconnect the scene may have jumped). */
  resetMotion(): void {
    this.prevKey = undefined;
  }
}
