/**
 * The full-rate relay with a real ffmpeg: one process per camera however many watch, MPEG-TS out,
 * stopped when the last viewer leaves; token and camera checked before the upgrade.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createLogger, parseConfig } from '@vigil/core';
import { TokenAuth } from '../../src/auth.js';
import { relayArgs, StreamRelay } from '../../src/dashboard/streamRelay.js';

const CLIP = join(fileURLToPath(new URL('../../../..', import.meta.url)), 'footage/street.mp4');
const TOKEN = 'viewer-token-relay';
let server: Server;
let relay: StreamRelay;
let base: string;

beforeAll(async () => {
  const config = parseConfig({ gateway: { tokens: [{ token: TOKEN, role: 'viewer' }] }, cameras: [{ id: 'cam1', url: CLIP }] });
  relay = new StreamRelay(new TokenAuth(config.gateway.tokens), config.cameras, createLogger('test:relay'));
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => relay.handleUpgrade(new URL(req.url!, 'http://x').pathname.split('/').pop()!, req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(server.address() as { port: number }).port}/v1/stream`;
});
afterAll(async () => {
  await relay.close();
  server.close();
});

const refusal = (url: string) => new Promise<number>((resolve) => new WebSocket(url).once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));

describe('full-rate stream relay', () => {
  it('reads RTSP over TCP and writes MPEG-1 in MPEG-TS without B-frames', () => {
    const args = relayArgs('rtsp://cam.example/1');
    expect(args.slice(args.indexOf('-rtsp_transport'), args.indexOf('-rtsp_transport') + 2)).toEqual(['-rtsp_transport', 'tcp']);
    expect(args).toEqual(expect.arrayContaining(['mpegts', 'mpeg1video', '-bf', '0']));
  });

  it('refuses an unknown token with 401 and an unknown camera with 404', async () => {
    expect(await refusal(`${base}/cam1?token=nope-nope-nope`)).toBe(401);
    expect(await refusal(`${base}/cam9?token=${TOKEN}`)).toBe(404);
    expect(relay.active).toEqual([]);
  });

  it('shares one ffmpeg between viewers and stops it when the last one leaves', async () => {
    const viewers = [new WebSocket(`${base}/cam1?token=${TOKEN}`), new WebSocket(`${base}/cam1?token=${TOKEN}`)];
    const bytes = [Buffer.alloc(0), Buffer.alloc(0)];
    viewers.forEach((ws, i) => ws.on('message', (d: Buffer) => (bytes[i] = Buffer.concat([bytes[i]!, d]))));
    await Promise.all(viewers.map((ws) => new Promise((r) => ws.once('open', r))));
    expect(relay.active).toEqual(['cam1']);
    await expect.poll(() => Math.min(...bytes.map((b) => b.length)), { timeout: 10_000 }).toBeGreaterThan(188 * 10);
    // MPEG-TS: 188-byte packets, each starting with the sync byte 0x47.
    expect(bytes[0]![0]).toBe(0x47);
    expect(bytes[0]![188]).toBe(0x47);
    viewers[0]!.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(relay.active).toEqual(['cam1']);
    viewers[1]!.close();
    await expect.poll(() => relay.active).toEqual([]);
  }, 20_000);
});
