import { describe, expect, it } from 'vitest';
import { anomalyBoxAt, injectAnomaly, type AnomalyKind, type AnomalySpec } from '../src/synth/index.js';

const W = 320,
  H = 176;
const base = { startSeconds: 2, durationSeconds: 6 };
const specs: Record<Exclude<AnomalyKind, 'stopped-vehicle' | 'wrong-way'>, AnomalySpec> = {
  pedestrian: { ...base, kind: 'pedestrian', size: { width: 0.03, height: 0.13 }, position: { x: 0.4, y: 0.7 }, velocity: { x: 0.05, y: 0 } },
  debris: { ...base, kind: 'debris', size: { width: 0.06, height: 0.05 }, position: { x: 0.6, y: 0.8 }, velocity: { x: 0.3, y: 0 } },
  haze: { ...base, kind: 'haze', size: { width: 0.4, height: 0.5 }, position: { x: 0.5, y: 0.5 }, velocity: { x: 0.01, y: -0.01 }, enterSeconds: 3 },
};

/** A textured road-grey frame, so that blending shows. */
function road(): Uint8Array {
  const f = new Uint8Array(W * H * 3);
  for (let i = 0; i < f.length; i++) f[i] = 100 + ((i * 31) % 17);
  return f;
}

function drawn(spec: AnomalySpec, t: number): { frame: Uint8Array; mask: Uint8Array; box: ReturnType<typeof anomalyBoxAt> } {
  const frame = road(),
    mask = new Uint8Array(W * H);
  const { box } = injectAnomaly(frame, W, H, t, spec, mask);
  return { frame, mask, box };
}

/** Byte equality (vitest's deep equality walks a typed array element by element, slowly). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function maskStats(mask: Uint8Array): { count: number; cx: number; cy: number } {
  let count = 0,
    sx = 0,
    sy = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    count++;
    sx += p % W;
    sy += Math.floor(p / W);
  }
  return { count, cx: sx / count / W, cy: sy / count / H };
}

describe('synthetic anomaly kinds with pixel masks', () => {
  for (const [kind, spec] of Object.entries(specs)) {
    it(`${kind}: masks only changed pixels inside its box, deterministically, and nothing outside its time window`, () => {
      const a = drawn(spec, 5),
        b = drawn(spec, 5);
      expect(same(a.frame, b.frame)).toBe(true);
      expect(same(a.mask, b.mask)).toBe(true);
      const box = a.box!;
      const clean = road();
      let changedOutsideBox = 0,
        maskedUnchanged = 0;
      for (let p = 0; p < W * H; p++) {
        const x = p % W,
          y = Math.floor(p / W);
        const changed = [0, 1, 2].some((c) => a.frame[p * 3 + c] !== clean[p * 3 + c]);
        const inBox = x >= box.x * W - 2 && x <= (box.x + box.width) * W + 2 && y >= box.y * H - 2 && y <= (box.y + box.height) * H + 2;
        if (changed && !inBox) changedOutsideBox++;
        if (a.mask[p] && !changed) maskedUnchanged++;
      }
      expect(changedOutsideBox).toBe(0);
      expect(maskedUnchanged).toBe(0);
      expect(maskStats(a.mask).count).toBeGreaterThan(20);
      const before = drawn(spec, 1.9),
        after = drawn(spec, 8.1);
      expect(before.box).toBeNull();
      expect(maskStats(before.mask).count).toBe(0);
      expect(same(after.frame, road())).toBe(true);
    });
  }

  it('a pedestrian is an upright figure that walks at its velocity', () => {
    const spec = specs.pedestrian;
    const m1 = maskStats(drawn(spec, 3).mask),
      m2 = maskStats(drawn(spec, 5).mask);
    expect(m2.cx - m1.cx).toBeCloseTo(0.1, 1);
    const box = anomalyBoxAt(spec, 3)!;
    expect(box.height * H).toBeGreaterThan(1.5 * box.width * W);
    // Mostly opaque body pixels: at least a third of its box.
    expect(m1.count).toBeGreaterThan((box.width * W * box.height * H) / 3);
  });

  it('debris lies still where it fell, whatever its velocity says', () => {
    const a = drawn(specs.debris, 3),
      b = drawn(specs.debris, 7);
    expect(same(a.mask, b.mask)).toBe(true);
    expect(maskStats(a.mask).cx).toBeCloseTo(0.6, 1);
  });

  it('haze fades in and spreads over its first seconds', () => {
    const counts = [2.3, 3, 4, 5].map((t) => maskStats(drawn(specs.haze, t).mask).count);
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThan(counts[i - 1]!);
    // At full size it covers a good share of its 0.4 × 0.5 ellipse.
    expect(counts[3]!).toBeGreaterThan(0.25 * Math.PI * 0.2 * W * 0.25 * H);
  });

  it('several anomalies share one mask, and the existing kinds mask their bodies too', () => {
    const vehicle: AnomalySpec = { kind: 'stopped-vehicle', startSeconds: 0, durationSeconds: 9, size: { width: 0.15, height: 0.14 }, position: { x: 0.3, y: 0.3 }, velocity: { x: 0.1, y: 0 } };
    const frame = road(),
      mask = new Uint8Array(W * H);
    injectAnomaly(frame, W, H, 5, vehicle, mask);
    const alone = maskStats(mask).count;
    expect(alone).toBeGreaterThan(0.7 * 0.15 * W * 0.14 * H);
    injectAnomaly(frame, W, H, 5, specs.debris, mask);
    expect(maskStats(mask).count).toBeGreaterThan(alone);
    expect(() => injectAnomaly(frame, W, H, 5, vehicle, new Uint8Array(10))).toThrow(/mask has 10 bytes/);
  });
});
