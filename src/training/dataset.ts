import { TrainingError } from '../errors.js';
import { type BinMapper, binColumn, findBins } from './binning.js';
import type { GBDTParams } from './params.js';
import { LightgbmRandom } from './random.js';

/**
 * The training matrix after binning: one bin-index array per feature (column-major), and
 * the offsets of each feature's bins inside one flat histogram.
 */
export interface BinnedDataset {
  readonly numRows: number;
  readonly numFeatures: number;
  readonly mappers: readonly BinMapper[];
  readonly bins: readonly (Uint8Array | Uint16Array)[];
  /** Feature f's bins are histogram slots `binOffsets[f] … binOffsets[f + 1] − 1`. */
  readonly binOffsets: Int32Array;
  readonly totalBins: number;
  /**
   * Every row's histogram slots, row-major (`rowSlots[row · numFeatures + f]` =
   * `binOffsets[f]` + the row's bin of f) when they fit 16 bits: histograms then take one pass
   * over the rows, one slot read per (row, feature), rows in order (the same sums as a pass
   * per feature).
   */
  readonly rowSlots: Uint16Array | null;
}

/**
 * Bin every feature. Bounds come from a sample of up to `bin_construct_sample_cnt` rows
 * (all rows when there are fewer), drawn as LightGBM draws it with `data_random_seed`.
 */
export function binDataset(
  features: readonly Float64Array[],
  params: GBDTParams,
  allocate: (bytes: number) => ArrayBufferLike = (bytes) => new ArrayBuffer(bytes),
): BinnedDataset {
  const numFeatures = features.length;
  if (numFeatures === 0) throw new TrainingError('Failed to train: no features given');
  const numRows = features[0]!.length;
  for (const [f, column] of features.entries()) {
    if (column.length !== numRows) {
      throw new TrainingError(
        `Failed to train: feature ${f} has ${column.length} values, feature 0 has ${numRows}`,
      );
    }
  }
  // LightGBM's sample (c_api CreateSampleIndices): its generator seeded with
  // data_random_seed, its Random::Sample; the sample can hold a few rows fewer than asked.
  const sampleRows =
    numRows > params.bin_construct_sample_cnt
      ? new LightgbmRandom(params.data_random_seed).sample(numRows, params.bin_construct_sample_cnt)
      : null;
  const sampleCount = sampleRows ? sampleRows.length : numRows;
  const options = {
    maxBin: params.max_bin,
    minDataInBin: params.min_data_in_bin,
    useMissing: params.use_missing,
    zeroAsMissing: params.zero_as_missing,
    // LightGBM's filter_cnt: min_data_in_leaf scaled to the sample (integer product first).
    minSplitData: Math.trunc((params.min_data_in_leaf * sampleCount) / numRows),
  };
  const mappers: BinMapper[] = [];
  const bins: (Uint8Array | Uint16Array)[] = [];
  const binOffsets = new Int32Array(numFeatures + 1);
  for (let f = 0; f < numFeatures; f++) {
    const column = features[f]!;
    let sample = column;
    if (sampleRows) {
      sample = new Float64Array(sampleRows.length);
      for (let i = 0; i < sampleRows.length; i++) sample[i] = column[sampleRows[i]!]!;
    }
    const mapper = findBins(sample, options);
    mappers.push(mapper);
    const local = binColumn(mapper, column);
    // Copy into memory the caller chose (a SharedArrayBuffer when workers will read it).
    const shared =
      local instanceof Uint8Array
        ? new Uint8Array(allocate(local.byteLength))
        : new Uint16Array(allocate(local.byteLength));
    shared.set(local);
    bins.push(shared);
    binOffsets[f + 1] = binOffsets[f]! + mapper.numBins;
  }
  let rowSlots: Uint16Array | null = null;
  if (binOffsets[numFeatures]! <= 65536) {
    rowSlots = new Uint16Array(allocate(2 * numRows * numFeatures));
    // In blocks of rows, so that the block's slots stay in cache while each column fills them.
    for (let start = 0; start < numRows; start += TRANSPOSE_BLOCK) {
      const end = Math.min(numRows, start + TRANSPOSE_BLOCK);
      for (let f = 0; f < numFeatures; f++) {
        fillSlots(rowSlots, bins[f]!, binOffsets[f]!, f, numFeatures, start, end);
      }
    }
  }
  return {
    numRows,
    numFeatures,
    mappers,
    bins,
    binOffsets,
    totalBins: binOffsets[numFeatures]!,
    rowSlots,
  };
}

const TRANSPOSE_BLOCK = 4096;

function fillSlots(
  rowSlots: Uint16Array,
  column: Uint8Array | Uint16Array,
  offset: number,
  f: number,
  numFeatures: number,
  start: number,
  end: number,
): void {
  for (let r = start, k = start * numFeatures + f; r < end; r++, k += numFeatures) {
    rowSlots[k] = offset + column[r]!;
  }
}
