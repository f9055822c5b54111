import { type BinMapper, MISSING_NAN, MISSING_ZERO } from './binning.js';

/** How a split sends a leaf's rows: bins ≤ `thresholdBin` left, `missingBin` by default. */
export interface PartitionRule {
  feature: number;
  thresholdBin: number;
  /** The bin of missing values (−1: none), which goes left when `defaultLeft`. */
  missingBin: number;
  defaultLeft: boolean;
}

/** The rule of a split on `mapper`'s feature. */
export function partitionRule(
  feature: number,
  mapper: BinMapper,
  thresholdBin: number,
  defaultLeft: boolean,
): PartitionRule {
  const missingBin =
    mapper.missingType === MISSING_NAN
      ? mapper.numBins - 1
      : mapper.missingType === MISSING_ZERO
        ? mapper.defaultBin
        : -1;
  return { feature, thresholdBin, missingBin, defaultLeft };
}

/**
 * Stable partition of `indices[begin … begin + count)` by `bins`: left rows first, in their
 * order, then right rows (through `temp`). Returns the number of left rows.
 */
export function partitionRows(
  bins: Uint8Array | Uint16Array,
  indices: Int32Array,
  temp: Int32Array,
  begin: number,
  count: number,
  rule: PartitionRule,
): number {
  const threshold = rule.thresholdBin;
  const missingBin = rule.missingBin;
  const defaultLeft = rule.defaultLeft ? 1 : 0;
  let left = begin;
  let right = 0;
  const end = begin + count;
  // Branch-free: write the row to both sides, advance the side it belongs to.
  for (let i = begin; i < end; i++) {
    const r = indices[i]!;
    const b = bins[r]!;
    const goLeft = b === missingBin ? defaultLeft : b <= threshold ? 1 : 0;
    indices[left] = r;
    temp[right] = r;
    left += goLeft;
    right += 1 - goLeft;
  }
  indices.set(temp.subarray(0, right), left);
  return left - begin;
}
