/**
 * A progress bar with an ETA for the long offline commands (train, eval, synth), drawn on stderr only
 * when stderr is a terminal: in scripts, pipes and CI it draws nothing, so their output stays clean.
 */
import cliProgress from 'cli-progress';

export interface PhaseProgress {
  /** Shows `done / total` for the named phase; a new phase name starts a new bar. */
  update(phase: string, done: number, total: number): void;
  /** Ends the current bar, leaving the terminal on a fresh line. */
  stop(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): PhaseProgress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
    current = '';
  };
  return {
    update(phase, done, total) {
      if (phase !== current) {
        stop();
        current = phase;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${phase.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} elapsed, ETA {eta_formatted}`,
            hideCursor: true,
            etaBuffer: 30,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(total, 1), done);
        return;
      }
      bar!.setTotal(Math.max(total, 1));
      bar!.update(done);
    },
    stop,
  };
}
