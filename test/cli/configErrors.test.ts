import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVigil } from '../support/vigilProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
function configFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** One line on stderr, naming the problem; no stack trace; a non-zero exit. */
function expectOneClearLine(r: { status: number | null; stderr: string }, mention: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^vigil: /);
  expect(lines[0]).toMatch(mention);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('vigil with a malformed config', () => {
  it('names the key and the expected type when a value has the wrong type', () => {
    const file = configFile('wrong-type.yaml', 'gateway: { tokens: [{ token: change-me, role: operator }] }\ncameras:\n  - id: cam1\n    url: rtsp://127.0.0.1:8554/cam1\n    fps: fast\n');
    expectOneClearLine(runVigil(['worker', '--config', file]), /cameras\[0\]\.fps: .*expected number/);
  });

  it('names an unknown key', () => {
    const file = configFile('unknown-key.yaml', 'gateway: { prot: 8080, tokens: [{ token: change-me, role: operator }] }\ncameras: [{ id: cam1, url: a.mp4 }]\n');
    expectOneClearLine(runVigil(['gateway', '--config', file]), /gateway: unknown key "prot"/);
  });

  it('says that required cameras are missing', () => {
    const file = configFile('no-cameras.yaml', 'gateway: { tokens: [{ token: change-me, role: operator }] }\n');
    expectOneClearLine(runVigil(['up', '--config', file]), /cameras: is required/);
  });

  it('gives the line of a YAML syntax error', () => {
    const file = configFile('bad-yaml.yaml', 'gateway: { tokens: [\ncameras: x: y\n');
    expectOneClearLine(runVigil(['ingest', '--config', file]), /invalid YAML/);
  });

  it('says the file is missing', () => {
    expectOneClearLine(runVigil(['worker', '--config', join(dir, 'nope.yaml')]), /nope\.yaml: cannot read config file \(no such file\)/);
  });

  it('rejects a bad URL scheme for a camera', () => {
    const file = configFile('bad-url.yaml', 'gateway: { tokens: [{ token: change-me, role: operator }] }\ncameras: [{ id: cam1, url: "ftp://x/y" }]\n');
    expectOneClearLine(runVigil(['ingest', '--config', file]), /cameras\[0\]\.url: must be an rtsp/);
  });

  it('names an unknown combination rule', () => {
    const file = configFile('bad-combine.yaml', 'gateway: { tokens: [{ token: change-me, role: operator }] }\ncameras: [{ id: cam1, url: a.mp4, combine: mean }]\n');
    expectOneClearLine(runVigil(['worker', '--config', file]), /cameras\[0\]\.combine: .*"max".*"geometric-mean"/);
  });

  it("names an unknown detector among a camera's members, and the known ones", () => {
    const file = configFile('bad-member.yaml', 'gateway: { tokens: [{ token: change-me, role: operator }] }\ncameras: [{ id: cam1, url: a.mp4, members: [patchGaussian, padimm] }]\n');
    expectOneClearLine(runVigil(['up', '--config', file]), /cameras\[0\]\.members: unknown detector "padimm" \(known: .*padim/);
  });
});
