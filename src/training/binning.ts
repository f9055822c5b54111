import { nextUp } from './number-format.js';

/** LightGBM's `kZeroThreshold`: |x| ≤ this counts as zero. */
export const ZERO_THRESHOLD = Math.fround(1e-35);

/** How a feature's missing values are represented (decision_type bits 2–3). */
export const MISSING_NONE = 0;
export const MISSING_ZERO = 1;
export const MISSING_NAN = 2;
export type MissingType = typeof MISSING_NONE | typeof MISSING_ZERO | typeof MISSING_NAN;

/**
 * One feature's bins, as LightGBM's `BinMapper` builds them: `upperBounds[b]` is the largest
 * value of bin `b` (the last non-NaN bound is +∞); with missing type NaN the last bin holds NaN.
 */
export interface BinMapper {
  readonly upperBounds: Float64Array;
  readonly numBins: number;
  readonly missingType: MissingType;
  /** One bin only: the feature cannot split and is written as `none` in feature_infos. */
  readonly isTrivial: boolean;
  readonly min: number;
  readonly max: number;
  /** The bin of the value 0. */
  readonly defaultBin: number;
  /**
   * LightGBM's `most_freq_bin`: the sample's most frequent bin if it holds ≥ 70% of the
   * sample, else the default bin. LightGBM does not store this bin: its histogram entry is
   * the leaf's total minus the other bins (bin 0: derived where a scan needs it).
   */
  readonly mostFreqBin: number;
}

export interface BinningOptions {
  maxBin: number;
  minDataInBin: number;
  useMissing: boolean;
  zeroAsMissing: boolean;
  /**
   * LightGBM's feature_pre_filter: a feature is trivial when no cut leaves this many sample
   * rows on both sides (min_data_in_leaf scaled to the sample). 0: no filter.
   */
  minSplitData?: number;
}

/**
 * Find a feature's bins from a sample of its values (LightGBM's `BinMapper::FindBin` for
 * numerical features): zero gets its own bin, NaN its own last bin.
 *
 * @example
 * const opts = { maxBin: 255, minDataInBin: 1, useMissing: true, zeroAsMissing: false };
 * findBins(Float64Array.of(1, 2, 2, 3), opts).upperBounds
 * // [1e-35, 1.5000000000000002, 2.5000000000000004, Infinity]
 */
export function findBins(sample: Float64Array, options: BinningOptions): BinMapper {
  const total = sample.length;
  const kept = new Float64Array(total);
  let n = 0;
  let naCount = 0;
  for (let i = 0; i < total; i++) {
    const v = sample[i]!;
    if (Number.isNaN(v)) naCount++;
    else if (Math.abs(v) > ZERO_THRESHOLD) kept[n++] = v;
  }
  // A typed array sorts numerically without a comparator (and fast).
  const values = kept.subarray(0, n).sort();
  let missingType: MissingType;
  if (!options.useMissing) missingType = MISSING_NONE;
  else if (options.zeroAsMissing) missingType = MISSING_ZERO;
  else missingType = naCount > 0 ? MISSING_NAN : MISSING_NONE;
  // Without use_missing, or with zero as missing, NaN is binned as zero.
  const zeroCount = total - n - (missingType === MISSING_NAN ? naCount : 0);

  const distinct: number[] = [];
  const counts: number[] = [];
  if (n === 0 || (values[0]! > 0 && zeroCount > 0)) {
    distinct.push(0);
    counts.push(zeroCount);
  }
  if (n > 0) {
    distinct.push(values[0]!);
    counts.push(1);
  }
  for (let i = 1; i < n; i++) {
    const prev = values[i - 1]!;
    const v = values[i]!;
    if (v > nextUp(prev)) {
      if (prev < 0 && v > 0) {
        distinct.push(0);
        counts.push(zeroCount);
      }
      distinct.push(v);
      counts.push(1);
    } else {
      distinct[distinct.length - 1] = v;
      counts[counts.length - 1]!++;
    }
  }
  if (n > 0 && values[n - 1]! < 0 && zeroCount > 0) {
    distinct.push(0);
    counts.push(zeroCount);
  }
  const min = distinct[0]!;
  const max = distinct[distinct.length - 1]!;

  let bounds: number[];
  if (missingType === MISSING_NAN) {
    bounds = findBinsWithZeroAsOneBin(
      distinct,
      counts,
      options.maxBin - 1,
      total - naCount,
      options.minDataInBin,
    );
    bounds.push(Number.NaN);
  } else {
    bounds = findBinsWithZeroAsOneBin(
      distinct,
      counts,
      options.maxBin,
      total,
      options.minDataInBin,
    );
    if (missingType === MISSING_ZERO && bounds.length === 2) missingType = MISSING_NONE;
  }
  const upperBounds = Float64Array.from(bounds);
  const partial = { upperBounds, numBins: upperBounds.length, missingType };
  const defaultBin = valueToBin(partial, 0);
  return {
    ...partial,
    isTrivial: upperBounds.length <= 1 || cannotSplit(partial, sample, options.minSplitData ?? 0),
    min,
    max,
    defaultBin,
    mostFreqBin: mostFrequentBin(
      upperBounds,
      missingType,
      distinct,
      counts,
      naCount,
      total,
      defaultBin,
    ),
  };
}

// LightGBM's FindBin ending: the first bin with the largest sample count (the NaN bin counts
// its NaN rows), unless it is not the default bin and holds < 70% of the sample.
function mostFrequentBin(
  bounds: Float64Array,
  missingType: MissingType,
  distinct: number[],
  counts: number[],
  naCount: number,
  total: number,
  defaultBin: number,
): number {
  const numBins = bounds.length;
  const inBin = new Float64Array(numBins);
  let bin = 0;
  for (let i = 0; i < distinct.length; i++) {
    while (distinct[i]! > bounds[bin]! && bin < numBins - 1) bin++;
    inBin[bin]! += counts[i]!;
  }
  if (missingType === MISSING_NAN) inBin[numBins - 1] = naCount;
  let most = 0;
  for (let b = 1; b < numBins; b++) if (inBin[b]! > inBin[most]!) most = b;
  return most !== defaultBin && inBin[most]! / total < 0.7 ? defaultBin : most;
}

/**
 * The bin of a value: NaN goes to the NaN bin (or is treated as 0), anything else to the
 * first bin whose upper bound is ≥ it.
 */
export function valueToBin(
  mapper: Pick<BinMapper, 'upperBounds' | 'numBins' | 'missingType'>,
  value: number,
): number {
  let v = value;
  if (Number.isNaN(v)) {
    if (mapper.missingType === MISSING_NAN) return mapper.numBins - 1;
    v = 0;
  }
  const bounds = mapper.upperBounds;
  let lo = 0;
  let hi = mapper.numBins - 1 - (mapper.missingType === MISSING_NAN ? 1 : 0);
  while (lo < hi) {
    const mid = (lo + hi - 1) >> 1;
    if (v <= bounds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// LightGBM's NeedFilter: true when no threshold leaves `filter` rows on both sides.
function cannotSplit(
  mapper: Pick<BinMapper, 'upperBounds' | 'numBins' | 'missingType'>,
  sample: Float64Array,
  filter: number,
): boolean {
  if (filter <= 0) return false;
  const counts = new Float64Array(mapper.numBins);
  for (let i = 0; i < sample.length; i++) counts[valueToBin(mapper, sample[i]!)]!++;
  let left = 0;
  for (let b = 0; b < mapper.numBins - 1; b++) {
    left += counts[b]!;
    if (left >= filter && sample.length - left >= filter) return false;
  }
  return true;
}

/** Bin a whole column: Uint8Array when ≤ 256 bins, else Uint16Array. */
export function binColumn(mapper: BinMapper, values: Float64Array): Uint8Array | Uint16Array {
  const out =
    mapper.numBins <= 256 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = valueToBin(mapper, values[i]!);
  return out;
}

/** `[min:max]` for feature_infos, or `none` for a feature that cannot split. */
export function featureInfo(mapper: BinMapper, format: (x: number) => string): string {
  return mapper.isTrivial ? 'none' : `[${format(mapper.min)}:${format(mapper.max)}]`;
}

// LightGBM's FindBinWithZeroAsOneBin: bins for the negatives, one for zero, bins for the positives.
function findBinsWithZeroAsOneBin(
  distinct: number[],
  counts: number[],
  maxBin: number,
  totalCount: number,
  minDataInBin: number,
): number[] {
  let bounds: number[] = [];
  let leftCountData = 0;
  let zeroCount = 0;
  let rightCountData = 0;
  for (let i = 0; i < distinct.length; i++) {
    const v = distinct[i]!;
    if (v <= -ZERO_THRESHOLD) leftCountData += counts[i]!;
    else if (v > ZERO_THRESHOLD) rightCountData += counts[i]!;
    else zeroCount += counts[i]!;
  }
  let leftCount = distinct.findIndex((v) => v > -ZERO_THRESHOLD);
  if (leftCount < 0) leftCount = distinct.length;
  if (leftCount > 0 && maxBin > 1) {
    const leftMaxBin = Math.max(
      1,
      Math.trunc((leftCountData / (totalCount - zeroCount)) * (maxBin - 1)),
    );
    bounds = greedyFindBin(
      distinct.slice(0, leftCount),
      counts.slice(0, leftCount),
      leftMaxBin,
      leftCountData,
      minDataInBin,
    );
    if (bounds.length > 0) bounds[bounds.length - 1] = -ZERO_THRESHOLD;
  }
  let rightStart = -1;
  for (let i = leftCount; i < distinct.length; i++) {
    if (distinct[i]! > ZERO_THRESHOLD) {
      rightStart = i;
      break;
    }
  }
  const rightMaxBin = maxBin - 1 - bounds.length;
  if (rightStart >= 0 && rightMaxBin > 0) {
    const right = greedyFindBin(
      distinct.slice(rightStart),
      counts.slice(rightStart),
      rightMaxBin,
      rightCountData,
      minDataInBin,
    );
    bounds.push(ZERO_THRESHOLD, ...right);
  } else {
    bounds.push(Number.POSITIVE_INFINITY);
  }
  return bounds;
}

// LightGBM's GreedyFindBin: one bin per distinct value when they are few, else equal-frequency
// bins in which values at least as frequent as a mean bin get a bin of their own.
function greedyFindBin(
  distinct: number[],
  counts: number[],
  maxBinIn: number,
  totalCount: number,
  minDataInBin: number,
): number[] {
  const bounds: number[] = [];
  const n = distinct.length;
  const pushBound = (v: number) => {
    if (bounds.length === 0 || v > nextUp(bounds[bounds.length - 1]!)) {
      bounds.push(v);
      return true;
    }
    return false;
  };
  if (n <= maxBinIn) {
    let inBin = 0;
    for (let i = 0; i < n - 1; i++) {
      inBin += counts[i]!;
      if (inBin >= minDataInBin && pushBound(nextUp((distinct[i]! + distinct[i + 1]!) / 2))) {
        inBin = 0;
      }
    }
    bounds.push(Number.POSITIVE_INFINITY);
    return bounds;
  }
  let maxBin = maxBinIn;
  if (minDataInBin > 0)
    maxBin = Math.max(1, Math.min(maxBin, Math.trunc(totalCount / minDataInBin)));
  let meanBinSize = totalCount / maxBin;
  let restBinCount = maxBin;
  let restSampleCount = totalCount;
  const isBig = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (counts[i]! >= meanBinSize) {
      isBig[i] = 1;
      restBinCount--;
      restSampleCount -= counts[i]!;
    }
  }
  meanBinSize = restSampleCount / restBinCount;
  const upper = new Array<number>(maxBin).fill(Number.POSITIVE_INFINITY);
  const lower = new Array<number>(maxBin).fill(Number.POSITIVE_INFINITY);
  let binCount = 0;
  lower[0] = distinct[0]!;
  let inBin = 0;
  for (let i = 0; i < n - 1; i++) {
    if (!isBig[i]) restSampleCount -= counts[i]!;
    inBin += counts[i]!;
    if (
      isBig[i] ||
      inBin >= meanBinSize ||
      (isBig[i + 1] && inBin >= Math.max(1, meanBinSize * 0.5))
    ) {
      upper[binCount] = distinct[i]!;
      binCount++;
      lower[binCount] = distinct[i + 1]!;
      if (binCount >= maxBin - 1) break;
      inBin = 0;
      if (!isBig[i]) {
        restBinCount--;
        meanBinSize = restSampleCount / restBinCount;
      }
    }
  }
  binCount++;
  for (let i = 0; i < binCount - 1; i++) pushBound(nextUp((upper[i]! + lower[i + 1]!) / 2));
  bounds.push(Number.POSITIVE_INFINITY);
  return bounds;
}
