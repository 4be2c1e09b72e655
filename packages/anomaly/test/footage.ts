/** Decodes the real test clips with ffmpeg, as the live system analyses them: 320 px wide, 5 fps, RGB24. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's own copies of the real clips (footage/README.md). */
export const TRAFFIC_DIR = fileURLToPath(new URL('../../../footage', import.meta.url));
export const ANALYSIS_FPS = 5;

export interface DecodedClip {
  width: number;
  height: number;
  fps: number;
  frames: Uint8Array[];
}

export async function decodeClip(file: string, width = 320, height: number, fps = ANALYSIS_FPS): Promise<DecodedClip> {
  const args = ['-v', 'error', '-i', file, '-vf', `fps=${fps},scale=${width}:-2`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`ffmpeg exited ${code}: ${stderr.trim()}`);
  const all = Buffer.concat(chunks);
  const size = width * height * 3;
  const frames: Uint8Array[] = [];
  for (let o = 0; o + size <= all.length; o += size) frames.push(new Uint8Array(all.subarray(o, o + size)));
  return { width, height, fps, frames };
}
