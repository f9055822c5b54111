import type { BinnedDataset } from './dataset.js';
import type { RowSet } from './histogram.js';
import type { PartitionRule } from './partition.js';
import type { HistogramBuilder } from './tree-learner.js';
import { createMemory, instantiateKernels } from './wasm-kernels.js';

/**
 * Builds histograms and partitions rows in this thread with the WebAssembly kernels: the row
 * slots, bin columns, gradients, hessians and the row partition live in the module's memory.
 * Null when the dataset has no row slots or does not fit 4 GiB (then use the JavaScript
 * kernels).
 */
export function createWasmHistogramBuilder(data: BinnedDataset): HistogramBuilder | null {
  const { rowSlots, numRows: n, numFeatures: nf, binOffsets } = data;
  if (!rowSlots) return null;
  let total = 0;
  const place = (bytes: number) => {
    const at = total;
    total += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const histAt = place(16 * data.totalBins);
  const featsAt = place(4 * nf);
  const gAt = place(4 * n);
  const hAt = place(4 * n);
  const idxAt = place(4 * n);
  const tempAt = place(4 * n);
  const slotsAt = place(2 * n * nf);
  const binsAt = data.bins.map((b) => place(b.byteLength));
  const memory = createMemory(total);
  if (!memory) return null;
  const kernels = instantiateKernels(memory);
  const buffer = memory.buffer;
  const hist = new Float64Array(buffer, histAt, 2 * data.totalBins);
  const feats = new Int32Array(buffer, featsAt, nf);
  const gradients = new Float32Array(buffer, gAt, n);
  const hessians = new Float32Array(buffer, hAt, n);
  const indices = new Int32Array(buffer, idxAt, n);
  const temp = new Int32Array(buffer, tempAt, n);
  new Uint16Array(buffer, slotsAt, n * nf).set(rowSlots);
  for (const [f, b] of data.bins.entries()) {
    new Uint8Array(buffer, binsAt[f]!, b.byteLength).set(
      new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
    );
  }
  return {
    gradients,
    hessians,
    indices,
    build(rows: RowSet, used: Uint8Array, out: Float64Array) {
      let count = 0;
      for (let f = 0; f < nf; f++) {
        if (!used[f]) continue;
        hist.fill(0, 2 * binOffsets[f]!, 2 * binOffsets[f + 1]!);
        feats[count++] = 2 * f;
      }
      if (count === 0) return;
      if (rows.indices !== null && rows.indices !== indices) {
        throw new Error('histogram rows must index the builder’s own partition');
      }
      const subset = count < nf;
      const run =
        rows.indices === null
          ? subset
            ? kernels.rangeSubset
            : kernels.range
          : subset
            ? kernels.indexedSubset
            : kernels.indexed;
      const begin = rows.indices === null ? rows.start : idxAt + 4 * rows.start;
      const end = rows.indices === null ? rows.end : idxAt + 4 * rows.end;
      run(slotsAt, nf, begin, end, gAt, hAt, histAt, featsAt, featsAt + 4 * count);
      for (let f = 0; f < nf; f++) {
        if (!used[f]) continue;
        const from = 2 * binOffsets[f]!;
        out.set(hist.subarray(from, 2 * binOffsets[f + 1]!), from);
      }
    },
    partition(rule: PartitionRule, begin: number, count: number) {
      const wide = data.bins[rule.feature] instanceof Uint16Array;
      const right = (wide ? kernels.partition16 : kernels.partition8)(
        binsAt[rule.feature]!,
        idxAt + 4 * begin,
        idxAt + 4 * (begin + count),
        tempAt,
        rule.thresholdBin,
        rule.missingBin,
        rule.defaultLeft ? 1 : 0,
      );
      const left = count - right;
      indices.set(temp.subarray(0, right), begin + left);
      return left;
    },
    async close() {},
  };
}
