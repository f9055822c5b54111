/**
 * A small seeded PRNG (mulberry32): bagging and feature sampling draw from it so that a run
 * is a pure function of its seeds.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (seed | 0) ^ 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** `k` distinct integers from [0, n), ascending (selection sampling: one pass, no sort). */
  sample(n: number, k: number): Int32Array {
    const out = new Int32Array(Math.min(k, n));
    let chosen = 0;
    for (let i = 0; i < n && chosen < out.length; i++) {
      if (this.next() * (n - i) < out.length - chosen) out[chosen++] = i;
    }
    return out;
  }
}
