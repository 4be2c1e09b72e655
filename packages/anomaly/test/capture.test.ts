/**
 * `@vigil/anomaly/capture` is what ingest imports: it must not load a detector or tfjs (the real-time
 * decoder process stays small, and a fit never runs there). Walks its import graph as Node would load it
 * (type-only imports are erased) and fails on any tfjs module or the compute backend.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every module loaded from `file`: relative ones followed, bare ones listed. */
function importGraph(file: string, seen = new Set<string>(), bare = new Set<string>()): { files: Set<string>; bare: Set<string> } {
  if (seen.has(file)) return { files: seen, bare };
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const m of source.matchAll(/^\s*(import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
    const spec = m[2]!;
    if (spec.startsWith('.')) importGraph(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen, bare);
    else bare.add(spec);
  }
  return { files: seen, bare };
}

describe('@vigil/anomaly/capture', () => {
  it('loads neither tfjs nor any detector', () => {
    const { files, bare } = importGraph(resolve(SRC, 'capture.ts'));
    expect([...bare].filter((s) => s.includes('tensorflow') || s.includes('human-models'))).toEqual([]);
    const loaded = [...files].map((f) => f.slice(SRC.length + 1));
    expect(loaded.filter((f) => /backend|cameraModel|registry|fitThread|patchCore|padim|flowHistogram|objects/.test(f))).toEqual([]);
    // The walk itself works: it reached the background pair and the learning frames.
    expect(loaded).toEqual(expect.arrayContaining(['backgroundPair/pair.ts', 'learning/learningFrames.ts', 'areas.ts']));
  });

  it('the full package does load tfjs (so the check above can fail)', () => {
    const { bare } = importGraph(resolve(SRC, 'index.ts'));
    expect([...bare].some((s) => s.startsWith('@tensorflow/'))).toBe(true);
  });
});
