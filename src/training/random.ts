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

/**
 * LightGBM's `Random` (`include/LightGBM/utils/random.h`): a 32-bit linear congruential
 * generator. The bin sample is drawn with it so that the same rows are sampled as LightGBM
 * samples them, hence the same bins and trees above `bin_construct_sample_cnt` rows.
 *
 * @example new LightgbmRandom(1).sample(1_000_000, 200_000).length // ≈ 200,000, ascending
 */
export class LightgbmRandom {
  private x: number;

  constructor(seed: number) {
    this.x = seed >>> 0;
  }

  private step(): number {
    this.x = (Math.imul(214013, this.x) + 2531011) >>> 0;
    return this.x;
  }

  /** `RandInt16() / 32768`: a float in [0, 1) with 15 random bits. */
  nextFloat(): number {
    return ((this.step() >>> 16) & 0x7fff) / 32768;
  }

  /** An integer in [lower, upper) (`RandInt32() % (upper − lower) + lower`). */
  nextInt(lower: number, upper: number): number {
    return ((this.step() & 0x7fffffff) % (upper - lower)) + lower;
  }

  /**
   * LightGBM's `Random::Sample(N, K)`: about K of 0 … N − 1, ascending. Selection sampling
   * with 15-bit floats when K is large against N (the count can then differ from K), else
   * Floyd's algorithm.
   */
  sample(n: number, k: number): Int32Array {
    if (k > n || k <= 0) return new Int32Array(0);
    if (k === n) return Int32Array.from({ length: n }, (_, i) => i);
    if (k > 1 && k > n / Math.log2(k)) {
      const out = new Int32Array(k);
      let taken = 0;
      for (let i = 0; i < n; i++) {
        const prob = (k - taken) / (n - i);
        // Once K rows are taken prob is 0: never more than K.
        if (this.nextFloat() < prob) out[taken++] = i;
      }
      return out.subarray(0, taken);
    }
    const chosen = new Set<number>();
    for (let r = n - k; r < n; r++) {
      const v = this.nextInt(0, r);
      if (chosen.has(v)) chosen.add(r);
      else chosen.add(v);
    }
    return Int32Array.from(chosen).sort();
  }
}
