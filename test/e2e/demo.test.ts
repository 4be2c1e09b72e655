/** The README's demo command does what it says: it brings up the stack and alerts arrive on the WebSocket. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startVigil } from '../support/vigilProcess.js';

describe('vigil demo', () => {
  it('learns the clip, then shows an alert that opens on an injected object and closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
    const port = await freePort();
    const demo = startVigil(['demo', '--port', String(port), '--until-alert', '--data', dir, '--seconds', '170'], join(dir, 'demo.log'));
    const code = await new Promise<number | null>((resolve) => demo.child.once('exit', (c) => resolve(c)));
    const log = readFileSync(demo.logFile, 'utf8');
    expect(code, log).toBe(0);
    expect(log).toMatch(new RegExp(`alerts  ws://127\\.0\\.0\\.1:${port}/v1/live\\?token=demo-`));
    const open = log.split('\n').find((l) => / OPEN +cam1 /.test(l));
    expect(open, log).toBeDefined();
    expect(open).toMatch(/\[x=0\.\d+ y=0\.\d+ w=0\.\d+ h=0\.\d+ score=\d/);
    // The default ensemble scored the alerting frame: every member is listed with its normalised score.
    expect(open).toMatch(/members: flowHistogram=\d+\.\d+ backgroundPair=\d+\.\d+/);
    expect(log).toMatch(/ CLOSE +cam1 /);
  }, 200_000);
});
