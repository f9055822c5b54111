import type { BinnedDataset } from './dataset.js';
import { buildHistogram, type RowSet } from './histogram.js';
import type { HistogramBuilder } from './tree-learner.js';

/** Builds histograms in the calling thread. */
export function createLocalHistogramBuilder(
  data: BinnedDataset,
  gradients: Float32Array,
  hessians: Float32Array,
): HistogramBuilder {
  const scratch = { g: new Float32Array(data.numRows), h: new Float32Array(data.numRows) };
  return {
    build(rows: RowSet, used: Uint8Array, out: Float64Array) {
      buildHistogram(data, gradients, hessians, rows, used, out, scratch);
    },
    async close() {},
  };
}
