import { type BinMapper, MISSING_NAN, MISSING_NONE, MISSING_ZERO } from './binning.js';

/** LightGBM's `kEpsilon` (a float literal 1e-15f, widened to double). */
export const K_EPSILON = Math.fround(1e-15);

/** The regularization and constraint parameters split finding uses. */
export interface SplitConfig {
  lambdaL1: number;
  lambdaL2: number;
  maxDeltaStep: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  minGainToSplit: number;
}

/** T(G) = sign(G)·max(0, |G| − λ1). */
export function thresholdL1(g: number, l1: number): number {
  const reg = Math.max(0, Math.abs(g) - l1);
  return g > 0 ? reg : g < 0 ? -reg : 0;
}

/** Leaf output −T(G)/(H + λ2), clipped to ±max_delta_step when that is > 0. */
export function leafOutput(g: number, h: number, c: SplitConfig): number {
  const out = -thresholdL1(g, c.lambdaL1) / (h + c.lambdaL2);
  if (c.maxDeltaStep > 0 && Math.abs(out) > c.maxDeltaStep) {
    return Math.sign(out) * c.maxDeltaStep;
  }
  return out;
}

/** A leaf's gain: T(G)²/(H + λ2), or −(2·T(G)·w + (H + λ2)·w²) when the output is clipped. */
export function leafGain(g: number, h: number, c: SplitConfig): number {
  const sg = thresholdL1(g, c.lambdaL1);
  if (c.maxDeltaStep <= 0) return (sg * sg) / (h + c.lambdaL2);
  const w = leafOutput(g, h, c);
  return -(2 * sg * w + (h + c.lambdaL2) * w * w);
}

/** The best split found for a leaf (gain is relative to not splitting; −∞ when none). */
export interface SplitCandidate {
  gain: number;
  feature: number;
  /** Bin index: bins ≤ threshold go left. */
  thresholdBin: number;
  defaultLeft: boolean;
  leftSumGradient: number;
  leftSumHessian: number;
  leftCount: number;
  rightSumGradient: number;
  rightSumHessian: number;
  rightCount: number;
  leftOutput: number;
  rightOutput: number;
}

export function noSplit(): SplitCandidate {
  return {
    gain: Number.NEGATIVE_INFINITY,
    feature: -1,
    thresholdBin: 0,
    defaultLeft: true,
    leftSumGradient: 0,
    leftSumHessian: 0,
    leftCount: 0,
    rightSumGradient: 0,
    rightSumHessian: 0,
    rightCount: 0,
    leftOutput: 0,
    rightOutput: 0,
  };
}

/**
 * The best threshold of one feature from its histogram (`hist[offset + 2b]` = gradient sum
 * of bin b, `+1` = hessian sum), as LightGBM's `FindBestThresholdSequentially` scans it:
 * right to left (missing values go left), then for missing type NaN/Zero also left to right
 * (missing values go right); a later scan wins only if strictly better. Counts are estimated
 * from hessians as LightGBM does. Writes into `out` if better than `out.gain`; returns
 * whether any threshold was valid (the feature is still splittable).
 */
export function findBestThreshold(
  hist: Float64Array,
  offset: number,
  mapper: BinMapper,
  feature: number,
  sumGradient: number,
  sumHessianIn: number,
  numData: number,
  c: SplitConfig,
  out: SplitCandidate,
): boolean {
  const sumHessian = sumHessianIn + 2 * K_EPSILON;
  const minGainShift = leafGain(sumGradient, sumHessian, c) + c.minGainToSplit;
  const numBins = mapper.numBins;
  const scan = { splittable: false, gain: Number.NEGATIVE_INFINITY };
  const best = { threshold: 0, leftG: 0, leftH: 0, leftCount: 0, defaultLeft: true };
  const cntFactor = numData / sumHessian;
  const missing = mapper.missingType;
  const consider = (
    leftG: number,
    leftH: number,
    leftCount: number,
    threshold: number,
    defaultLeft: boolean,
  ) => {
    const gain = leafGain(leftG, leftH, c) + leafGain(sumGradient - leftG, sumHessian - leftH, c);
    if (gain <= minGainShift) return;
    scan.splittable = true;
    if (gain > scan.gain) {
      scan.gain = gain;
      best.threshold = threshold;
      best.leftG = leftG;
      best.leftH = leftH;
      best.leftCount = leftCount;
      best.defaultLeft = defaultLeft;
    }
  };
  const twoScans = numBins > 2 && missing !== MISSING_NONE;
  const naAsMissing = twoScans && missing === MISSING_NAN;
  const skipDefault = twoScans && missing === MISSING_ZERO;

  // Right to left: the right side accumulates; what is left out (bin 0, NaN bin) goes left.
  {
    let rightG = 0;
    let rightH = K_EPSILON;
    let rightCount = 0;
    for (let t = numBins - 1 - (naAsMissing ? 1 : 0); t >= 1; t--) {
      if (skipDefault && t === mapper.defaultBin) continue;
      const h = hist[offset + 2 * t + 1]!;
      rightG += hist[offset + 2 * t]!;
      rightH += h;
      rightCount += Math.round(h * cntFactor);
      if (rightCount < c.minDataInLeaf || rightH < c.minSumHessianInLeaf) continue;
      const leftCount = numData - rightCount;
      if (leftCount < c.minDataInLeaf) break;
      const leftH = sumHessian - rightH;
      if (leftH < c.minSumHessianInLeaf) break;
      consider(sumGradient - rightG, leftH, leftCount, t - 1, true);
    }
  }
  if (twoScans) {
    const reverseGain = scan.gain;
    const reverse = { ...best };
    scan.gain = Number.NEGATIVE_INFINITY;
    let leftG = 0;
    let leftH = K_EPSILON;
    let leftCount = 0;
    for (let t = 0; t <= numBins - 2; t++) {
      if (skipDefault && t === mapper.defaultBin) continue;
      const h = hist[offset + 2 * t + 1]!;
      leftG += hist[offset + 2 * t]!;
      leftH += h;
      leftCount += Math.round(h * cntFactor);
      if (leftCount < c.minDataInLeaf || leftH < c.minSumHessianInLeaf) continue;
      const rightCount = numData - leftCount;
      if (rightCount < c.minDataInLeaf) break;
      if (sumHessian - leftH < c.minSumHessianInLeaf) break;
      consider(leftG, leftH, leftCount, t, false);
    }
    if (!(scan.gain > reverseGain)) {
      scan.gain = reverseGain;
      Object.assign(best, reverse);
    }
  } else if (missing === MISSING_NAN) {
    // Two bins, one of them NaN: NaN is the right side of the only threshold.
    best.defaultLeft = false;
  }
  if (scan.splittable && scan.gain - minGainShift > out.gain) {
    const rightG = sumGradient - best.leftG;
    const rightH = sumHessian - best.leftH;
    out.gain = scan.gain - minGainShift;
    out.feature = feature;
    out.thresholdBin = best.threshold;
    out.defaultLeft = best.defaultLeft;
    out.leftSumGradient = best.leftG;
    out.leftSumHessian = best.leftH - K_EPSILON;
    out.leftCount = best.leftCount;
    out.rightSumGradient = rightG;
    out.rightSumHessian = rightH - K_EPSILON;
    out.rightCount = numData - best.leftCount;
    out.leftOutput = leafOutput(best.leftG, best.leftH, c);
    out.rightOutput = leafOutput(rightG, rightH, c);
  }
  return scan.splittable;
}
