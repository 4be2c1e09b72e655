import { describe, expect, it } from 'vitest';
import { ReconnectPolicy } from '../src/index.js';

describe('ReconnectPolicy', () => {
  it('starts near 0.5 s, doubles, and caps at 10 s', () => {
    const policy = new ReconnectPolicy({ jitter: 0 });
    const delays = Array.from({ length: 8 }, () => policy.nextDelayMs());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('jitters each delay downwards, never above the cap, and still grows', () => {
    const policy = new ReconnectPolicy();
    const delays = Array.from({ length: 30 }, () => policy.nextDelayMs());
    expect(delays[0]).toBeGreaterThanOrEqual(400);
    expect(delays[0]).toBeLessThanOrEqual(500);
    for (let i = 1; i < 5; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);
    for (const d of delays) expect(d).toBeLessThanOrEqual(10_000);
    expect(Math.min(...delays.slice(10))).toBeGreaterThanOrEqual(8000);
    expect(new Set(delays.slice(10)).size).toBeGreaterThan(1);
  });

  it('starts again from the base delay after reset', () => {
    const policy = new ReconnectPolicy({ jitter: 0 });
    for (let i = 0; i < 6; i++) policy.nextDelayMs();
    expect(policy.attempts).toBe(6);
    policy.reset();
    expect(policy.attempts).toBe(0);
    expect(policy.nextDelayMs()).toBe(500);
  });
});
