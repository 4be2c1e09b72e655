/** The CLI's promise for a user's mistake: one line on stderr naming the problem, no stack trace, a non-zero exit. */
import { expect } from 'vitest';

export function expectOneClearLine(r: { status: number | null; stderr: string }, mention: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^vigil: /);
  expect(lines[0]).toMatch(mention);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
