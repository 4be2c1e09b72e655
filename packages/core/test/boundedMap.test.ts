import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../src/index.js';

describe('BoundedMap', () => {
  it('keeps the newest entries up to its capacity, the least recently set out first', () => {
    const recent = new BoundedMap<string, Uint8Array>(2);
    const a = new Uint8Array([1]),
      b = new Uint8Array([2]),
      c = new Uint8Array([3]);
    recent.set('a', a);
    recent.set('b', b);
    recent.set('a', a);
    recent.set('c', c);
    expect(recent.get('a')).toBe(a);
    expect(recent.get('b')).toBeUndefined();
    expect(recent.get('c')).toBe(c);
    expect(recent.size).toBe(2);
    recent.clear();
    expect(recent.size).toBe(0);
  });

  it('keeps nothing at capacity 0 and refuses a bad capacity', () => {
    const recent = new BoundedMap<string, Uint8Array>(0);
    recent.set('a', new Uint8Array(1));
    expect(recent.get('a')).toBeUndefined();
    expect(() => new BoundedMap(-1)).toThrow(/capacity/);
  });
});
