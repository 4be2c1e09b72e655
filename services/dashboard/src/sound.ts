/** A short two-tone beep on a new alert (WebAudio: no sound file to fetch). Browsers need a click first; login is one. */
export class AlertSound {
  private ctx: AudioContext | undefined;
  muted = false;

  /** Call from a user gesture (the login click) so the browser lets the page play sound. */
  unlock(): void {
    try {
      this.ctx ??= new AudioContext();
      void this.ctx.resume();
    } catch {
      this.ctx = undefined;
    }
  }

  beep(): void {
    const ctx = this.ctx;
    if (this.muted || !ctx) return;
    const t = ctx.currentTime;
    for (const [i, freq] of [880, 660].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.2, t + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t + i * 0.18);
      osc.stop(t + i * 0.18 + 0.17);
    }
  }
}
