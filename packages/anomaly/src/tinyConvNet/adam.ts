/** Adam (Kingma & Ba 2015) with optional decoupled weight decay on kernels (AdamW, Loshchilov & Hutter 2019). */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    private readonly params: Float32Array[],
    private readonly learningRate: number,
    /** Decay per step, relative to the learning rate; applied to the arrays flagged in `decayed`. */
    private readonly weightDecay = 0,
    private readonly decayed: readonly boolean[] = params.map(() => true),
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }

  /** One update from gradients summed over `count` samples; the gradients are then zeroed. */
  step(grads: Float32Array[], count: number, learningRate = this.learningRate): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    const c1 = 1 - b1 ** this.t,
      c2 = 1 - b2 ** this.t;
    const scale = 1 / count;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k]!,
        g = grads[k]!,
        m = this.m[k]!,
        v = this.v[k]!;
      const decay = this.decayed[k] ? 1 - learningRate * this.weightDecay : 1;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]! * scale;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        p[i] = p[i]! * decay - (learningRate * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
        g[i] = 0;
      }
    }
  }
}
