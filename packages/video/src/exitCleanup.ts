/** Kills child processes when this process exits, so no ffmpeg or RTSP server outlives its owner. */
type Killer = () => void;

const killers = new Set<Killer>();
let hooked = false;

/** Registers a synchronous kill; returns the function that unregisters it once the child is gone. */
export function killOnExit(kill: Killer): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const k of killers) {
        try {
          k();
        } catch {
          // Already gone: nothing to clean up.
        }
      }
    });
  }
  killers.add(kill);
  return () => killers.delete(kill);
}
