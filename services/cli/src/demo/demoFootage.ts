/** The demo's camera: the street clip twice (clean, so the model learns), then with injected anomalies, looped. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { renderInjectedVideo, type AnomalySpec, type GroundTruth } from '@vigil/anomaly';

export const STREET_CLIP = fileURLToPath(new URL('../../../../footage/street.mp4', import.meta.url));
/** One play of street.mp4. */
export const STREET_SECONDS = 905 / 24;

/** Car-sized objects that drive into a lane and stop there: one in the near lane, one further up the street. */
export function demoAnomalies(offsetSeconds: number): AnomalySpec[] {
  return [
    {
      kind: 'stopped-vehicle',
      startSeconds: offsetSeconds + 5,
      durationSeconds: 9,
      size: { width: 0.15, height: 0.14 },
      position: { x: 0.6, y: 0.72 },
      velocity: { x: 0.08, y: 0.1 },
      enterSeconds: 1,
    },
    {
      kind: 'stopped-vehicle',
      startSeconds: offsetSeconds + 24,
      durationSeconds: 7,
      size: { width: 0.13, height: 0.12 },
      position: { x: 0.42, y: 0.55 },
      velocity: { x: -0.05, y: -0.08 },
      enterSeconds: 1,
    },
  ];
}

export async function renderDemoFootage(dir: string): Promise<{ file: string; truth: GroundTruth }> {
  const file = join(dir, 'street-with-anomalies.mp4');
  const truth = await renderInjectedVideo({ src: STREET_CLIP, out: file, repeat: 2, anomalies: demoAnomalies(STREET_SECONDS) });
  return { file, truth };
}
