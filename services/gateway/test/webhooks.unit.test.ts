/** Webhook building blocks in isolation: signing against the Standard Webhooks reference package, the retry schedule, retry-after, the SSRF address check. */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { attemptDelayMs, DEFAULT_RETRY_SCHEDULE_SECONDS, refusedKind, retryAfterMs, signedHeaders } from '../src/webhooks/index.js';
import { newSecret } from './webhooks/fixtures.js';

describe('Standard Webhooks signature', () => {
  const body = JSON.stringify({ type: 'alert', event: 'open', eventId: '1700000000000-0', alert: { id: 'a1', cameraId: 'cam1' } });

  it('verifies with the reference implementation (standardwebhooks on npm)', () => {
    const secret = newSecret();
    const headers = signedHeaders(secret, 'msg_1700000000000-0', body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('produces the same signature as the reference for a fixed id and timestamp', () => {
    const secret = newSecret();
    const at = new Date('2026-01-02T03:04:05Z');
    const ours = signedHeaders(secret, 'msg_x', body, at.getTime())['webhook-signature'];
    expect(ours).toBe(new Webhook(secret).sign('msg_x', at, body));
  });

  it('fails verification for a tampered body, another secret or another id', () => {
    const secret = newSecret();
    const headers = signedHeaders(secret, 'msg_1', body);
    expect(() => new Webhook(secret).verify(body.replace('cam1', 'cam2'), { ...headers })).toThrow(/signature/i);
    expect(() => new Webhook(newSecret()).verify(body, { ...headers })).toThrow(/signature/i);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_2' })).toThrow(/signature/i);
  });
});

describe('retry schedule', () => {
  it('is immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(DEFAULT_RETRY_SCHEDULE_SECONDS).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => attemptDelayMs(n, DEFAULT_RETRY_SCHEDULE_SECONDS, mid))).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(attemptDelayMs(9, DEFAULT_RETRY_SCHEDULE_SECONDS, mid)).toBeUndefined();
    expect(attemptDelayMs(0, DEFAULT_RETRY_SCHEDULE_SECONDS, mid)).toBeUndefined();
  });

  it('jitters each step by at most ±20 %, and spreads it over that whole range', () => {
    expect(attemptDelayMs(3, DEFAULT_RETRY_SCHEDULE_SECONDS, () => 0)).toBe(240_000);
    expect(attemptDelayMs(3, DEFAULT_RETRY_SCHEDULE_SECONDS, () => 0.999999)).toBeCloseTo(360_000, -1);
    const samples = Array.from({ length: 2000 }, () => attemptDelayMs(2, DEFAULT_RETRY_SCHEDULE_SECONDS)!);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(6_000);
    expect(Math.min(...samples)).toBeLessThan(4_200);
    expect(Math.max(...samples)).toBeGreaterThan(5_800);
    expect(attemptDelayMs(1, DEFAULT_RETRY_SCHEDULE_SECONDS)).toBe(0);
  });
});

describe('retry-after', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('caps long waits, floors dates in the past at 0 and ignores what it cannot read', () => {
    expect(retryAfterMs('999999', now, 3600)).toBe(3_600_000);
    expect(retryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('SSRF guard address check', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd12:3456::1', 'unique local'],
    ['fc00::1', 'unique local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['64:ff9b::192.168.0.1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    // The forms an earlier hand-written guard let through (issue 12): IPv4-compatible, SIIT, 6to4, the benchmarking range.
    ['::169.254.169.254', 'link-local'],
    ['::ffff:0:a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::', 'link-local'],
    ['198.18.0.1', 'reserved'],
    ['2002:c0a8:0101::1', 'private'],
    ['2001:0::1', 'Teredo tunnel'],
    ['fec0::1', 'site-local'],
    ['192.0.2.10', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['not-an-ip', 'not an IP address'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(refusedKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2002:0808:0808::1', '64:ff9b::8.8.8.8'])(
    'allows public %s',
    (address) => {
      expect(refusedKind(address)).toBeUndefined();
    },
  );
});
