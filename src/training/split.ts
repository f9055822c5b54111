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
  const cntFactor = numData / sumHessian;
  const missing = mapper.missingType;
  const { minDataInLeaf, minSumHessianInLeaf, lambdaL2 } = c;
  // Without L1 and max_delta_step the gain is G²/(H + λ2): computed inline in the scans.
  const plain = c.lambdaL1 === 0 && c.maxDeltaStep <= 0;
  const twoScans = numBins > 2 && missing !== MISSING_NONE;
  const naAsMissing = twoScans && missing === MISSING_NAN;
  const skip = twoScans && missing === MISSING_ZERO ? mapper.defaultBin : -1;
  let splittable = false;

  // Right to left: the right side accumulates; what is left out (bin 0, NaN bin) goes left.
  let bestGain = Number.NEGATIVE_INFINITY;
  let bestThreshold = 0;
  let bestLeftG = 0;
  let bestLeftH = 0;
  let bestLeftCount = 0;
  let bestDefaultLeft = true;
  {
    let rightG = 0;
    let rightH = K_EPSILON;
    let rightCount = 0;
    for (let t = numBins - 1 - (naAsMissing ? 1 : 0); t >= 1; t--) {
      if (t === skip) continue;
      const h = hist[offset + 2 * t + 1]!;
      rightG += hist[offset + 2 * t]!;
      rightH += h;
      rightCount += Math.round(h * cntFactor);
      if (rightCount < minDataInLeaf || rightH < minSumHessianInLeaf) continue;
      const leftCount = numData - rightCount;
      if (leftCount < minDataInLeaf) break;
      const leftH = sumHessian - rightH;
      if (leftH < minSumHessianInLeaf) break;
      const leftG = sumGradient - rightG;
      const gain = plain
        ? (leftG * leftG) / (leftH + lambdaL2) + (rightG * rightG) / (rightH + lambdaL2)
        : leafGain(leftG, leftH, c) + leafGain(rightG, rightH, c);
      if (gain <= minGainShift) continue;
      splittable = true;
      if (gain > bestGain) {
        bestGain = gain;
        bestThreshold = t - 1;
        bestLeftG = leftG;
        bestLeftH = leftH;
        bestLeftCount = leftCount;
      }
    }
  }
  if (twoScans) {
    // Left to right: missing values go right; wins only when strictly better.
    let leftG = 0;
    let leftH = K_EPSILON;
    let leftCount = 0;
    // LightGBM does not store bin 0 when it is the most frequent bin: with NaN as missing
    // it starts from the leaf's total minus every other bin; otherwise it never adds bin 0.
    const binZeroUnstored = mapper.mostFreqBin === 0;
    let first = 0;
    if (binZeroUnstored && naAsMissing) {
      leftG = sumGradient;
      leftH = sumHessian - K_EPSILON;
      leftCount = numData;
      for (let b = 1; b < numBins; b++) {
        const h = hist[offset + 2 * b + 1]!;
        leftG -= hist[offset + 2 * b]!;
        leftH -= h;
        leftCount -= Math.round(h * cntFactor);
      }
    } else if (binZeroUnstored) {
      first = 1;
    }
    let fwdGain = Number.NEGATIVE_INFINITY;
    let fwdThreshold = 0;
    let fwdLeftG = 0;
    let fwdLeftH = 0;
    let fwdLeftCount = 0;
    for (let t = first; t <= numBins - 2; t++) {
      if (t === skip) continue;
      if (t > 0 || !binZeroUnstored) {
        const h = hist[offset + 2 * t + 1]!;
        leftG += hist[offset + 2 * t]!;
        leftH += h;
        leftCount += Math.round(h * cntFactor);
      }
      if (leftCount < minDataInLeaf || leftH < minSumHessianInLeaf) continue;
      const rightCount = numData - leftCount;
      if (rightCount < minDataInLeaf) break;
      const rightH = sumHessian - leftH;
      if (rightH < minSumHessianInLeaf) break;
      const rightG = sumGradient - leftG;
      const gain = plain
        ? (leftG * leftG) / (leftH + lambdaL2) + (rightG * rightG) / (rightH + lambdaL2)
        : leafGain(leftG, leftH, c) + leafGain(rightG, rightH, c);
      if (gain <= minGainShift) continue;
      splittable = true;
      if (gain > fwdGain) {
        fwdGain = gain;
        fwdThreshold = t;
        fwdLeftG = leftG;
        fwdLeftH = leftH;
        fwdLeftCount = leftCount;
      }
    }
    // As LightGBM compares them: against the first scan's gain after − and + the shift
    // (not the same double in general: it decides ties when no row is missing).
    if (splittable && fwdGain > bestGain - minGainShift + minGainShift) {
      bestGain = fwdGain;
      bestThreshold = fwdThreshold;
      bestLeftG = fwdLeftG;
      bestLeftH = fwdLeftH;
      bestLeftCount = fwdLeftCount;
      bestDefaultLeft = false;
    }
  } else if (missing === MISSING_NAN) {
    // Two bins, one of them NaN: NaN is the right side of the only threshold.
    bestDefaultLeft = false;
  }
  if (splittable && bestGain - minGainShift > out.gain) {
    const rightG = sumGradient - bestLeftG;
    const rightH = sumHessian - bestLeftH;
    out.gain = bestGain - minGainShift;
    out.feature = feature;
    out.thresholdBin = bestThreshold;
    out.defaultLeft = bestDefaultLeft;
    out.leftSumGradient = bestLeftG;
    out.leftSumHessian = bestLeftH - K_EPSILON;
    out.leftCount = bestLeftCount;
    out.rightSumGradient = rightG;
    out.rightSumHessian = rightH - K_EPSILON;
    out.rightCount = numData - bestLeftCount;
    out.leftOutput = leafOutput(bestLeftG, bestLeftH, c);
    out.rightOutput = leafOutput(rightG, rightH, c);
  }
  return splittable;
}
