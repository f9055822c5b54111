import type { BinnedDataset } from './dataset.js';
import { buildHistogram, type RowSet } from './histogram.js';
import { type PartitionRule, partitionRows } from './partition.js';
import type { HistogramBuilder } from './tree-learner.js';

/**
 * Builds histograms in the calling thread with the JavaScript kernels (datasets without row
 * slots; see wasm-histogram-builder.ts for the others).
 */
export function createLocalHistogramBuilder(data: BinnedDataset): HistogramBuilder {
  const gradients = new Float32Array(data.numRows);
  const hessians = new Float32Array(data.numRows);
  const indices = new Int32Array(data.numRows);
  const temp = new Int32Array(data.numRows);
  const scratch = { g: new Float32Array(data.numRows), h: new Float32Array(data.numRows) };
  return {
    gradients,
    hessians,
    indices,
    build(rows: RowSet, used: Uint8Array, out: Float64Array) {
      buildHistogram(data, gradients, hessians, rows, used, out, scratch);
    },
    partition(rule: PartitionRule, begin: number, count: number) {
      return partitionRows(data.bins[rule.feature]!, indices, temp, begin, count, rule);
    },
    async close() {},
  };
}
