import { Worker } from 'node:worker_threads';
import type { BinnedDataset } from './dataset.js';
import { addHistogram, type RowSet } from './histogram.js';
import type { PartitionRule } from './partition.js';
import type { HistogramBuilder } from './tree-learner.js';
import type { WasmHistogramTask, WasmHistogramWorkerData } from './wasm-histogram-worker.js';
import { createMemory, instantiateKernels } from './wasm-kernels.js';
import { MIN_ROWS_TO_SHARD, workerEntry } from './worker-histogram-builder.js';

/**
 * Builds histograms and partitions rows with the WebAssembly kernels: the row slots, bin
 * columns, gradients, hessians and the row partition live in the kernels' memory. With
 * `threads` > 1 the memory is shared and a large leaf's histogram is built over row shards,
 * `threads − 1` of them in worker threads, then summed. Null when the dataset has no row
 * slots or does not fit 4 GiB (then use the JavaScript kernels).
 */
export async function createWasmHistogramBuilder(
  data: BinnedDataset,
  threads = 1,
): Promise<HistogramBuilder | null> {
  const { rowSlots, numRows: n, numFeatures: nf, binOffsets } = data;
  if (!rowSlots) return null;
  let total = 0;
  const place = (bytes: number) => {
    const at = total;
    total += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const histAt = place(16 * data.totalBins);
  const workerHistAt = Array.from({ length: threads - 1 }, () => place(16 * data.totalBins));
  const featsAt = place(4 * nf);
  const gAt = place(4 * n);
  const hAt = place(4 * n);
  const idxAt = place(4 * n);
  const tempAt = place(4 * n);
  const slotsAt = place(2 * n * nf);
  const binsAt = data.bins.map((b) => place(b.byteLength));
  const memory = createMemory(total, threads > 1);
  if (!memory) return null;
  const kernels = instantiateKernels(memory, threads > 1);
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
  const url = workerHistAt.length > 0 ? workerEntry('wasm-histogram-worker.js') : null;
  const workers = workerHistAt.map((at) => {
    const init: WasmHistogramWorkerData = {
      memory,
      numFeatures: nf,
      binOffsets,
      slotsAt,
      gAt,
      hAt,
      idxAt,
      featsAt,
      histAt: at,
    };
    return {
      worker: new Worker(url!, { workerData: init }),
      hist: new Float64Array(buffer, at, 2 * data.totalBins),
    };
  });

  /** Rows `start … end − 1` of `rows` as kernel arguments. */
  const span = (indexed: boolean, start: number, end: number) =>
    indexed ? [idxAt + 4 * start, idxAt + 4 * end] : [start, end];

  return {
    gradients,
    hessians,
    indices,
    async build(rows: RowSet, used: Uint8Array, out: Float64Array) {
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
      const indexed = rows.indices !== null;
      const subset = count < nf;
      const run = indexed
        ? subset
          ? kernels.indexedSubset
          : kernels.indexed
        : subset
          ? kernels.rangeSubset
          : kernels.range;
      const rowCount = rows.end - rows.start;
      const shard = Math.ceil(rowCount / (workers.length + 1));
      const sharded = workers.length > 0 && rowCount >= MIN_ROWS_TO_SHARD * (workers.length + 1);
      const done = sharded
        ? workers.map(({ worker }, w) => {
            const [begin, end] = span(
              indexed,
              rows.start + w * shard,
              Math.min(rows.end, rows.start + (w + 1) * shard),
            );
            const task: WasmHistogramTask = { begin: begin!, end: end!, indexed, count };
            return new Promise<void>((resolve, reject) => {
              worker.once('message', () => resolve());
              worker.once('error', reject);
              worker.postMessage(task);
            });
          })
        : [];
      // This thread takes the last shard (or every row).
      const [begin, end] = span(
        indexed,
        sharded ? rows.start + workers.length * shard : rows.start,
        rows.end,
      );
      run(slotsAt, nf, begin!, end!, gAt, hAt, histAt, featsAt, featsAt + 4 * count);
      for (let f = 0; f < nf; f++) {
        if (!used[f]) continue;
        const from = 2 * binOffsets[f]!;
        out.set(hist.subarray(from, 2 * binOffsets[f + 1]!), from);
      }
      if (!sharded) return;
      await Promise.all(done);
      for (const { worker, hist: part } of workers) {
        worker.removeAllListeners('error');
        addHistogram(data, out, part, used);
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
    async close() {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
