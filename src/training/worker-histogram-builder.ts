import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TrainingError } from '../errors.js';
import type { BinnedDataset } from './dataset.js';
import { addHistogram, buildHistogram, type RowSet } from './histogram.js';
import type { HistogramTask, HistogramWorkerData } from './histogram-worker.js';
import { type PartitionRule, partitionRows } from './partition.js';
import type { HistogramBuilder } from './tree-learner.js';

/** Below this many rows a leaf's histogram is built in this thread (a round trip costs more). */
export const MIN_ROWS_TO_SHARD = 20_000;

/**
 * Builds histograms with the JavaScript kernels over row shards (datasets without row slots;
 * see wasm-histogram-builder.ts for the others): `threads − 1` worker threads take one shard each and
 * this thread the last, then the shards are summed. Bins, gradients and the row partition
 * are SharedArrayBuffers, so a task message carries only a row range.
 */
export async function createWorkerHistogramBuilder(
  data: BinnedDataset,
  threads: number,
): Promise<HistogramBuilder> {
  const gradients = new Float32Array(new SharedArrayBuffer(4 * data.numRows));
  const hessians = new Float32Array(new SharedArrayBuffer(4 * data.numRows));
  const indices = new Int32Array(new SharedArrayBuffer(4 * data.numRows));
  const temp = new Int32Array(data.numRows);
  const url = workerEntry('histogram-worker.js');
  const workers: { worker: Worker; out: Float64Array }[] = [];
  const histogramBytes = 16 * data.totalBins;
  for (let w = 0; w < threads - 1; w++) {
    const out = new SharedArrayBuffer(histogramBytes);
    const init: HistogramWorkerData = {
      bins: data.bins.map((b) => ({
        buffer: b.buffer as SharedArrayBuffer,
        wide: b instanceof Uint16Array,
      })),
      binOffsets: data.binOffsets,
      numRows: data.numRows,
      gradients: gradients.buffer as SharedArrayBuffer,
      hessians: hessians.buffer as SharedArrayBuffer,
      indices: indices.buffer as SharedArrayBuffer,
      out,
      rowSlots: (data.rowSlots?.buffer as SharedArrayBuffer | undefined) ?? null,
    };
    workers.push({
      worker: new Worker(url, { workerData: init }),
      out: new Float64Array(out),
    });
  }
  const scratch = { g: new Float32Array(data.numRows), h: new Float32Array(data.numRows) };
  return {
    gradients,
    hessians,
    indices,
    async build(rows: RowSet, used: Uint8Array, out: Float64Array) {
      const n = rows.end - rows.start;
      if (n < MIN_ROWS_TO_SHARD * threads) {
        buildHistogram(data, gradients, hessians, rows, used, out, scratch);
        return;
      }
      const shard = Math.ceil(n / threads);
      const done = workers.map(({ worker }, w) => {
        const task: HistogramTask = {
          start: rows.start + w * shard,
          end: Math.min(rows.end, rows.start + (w + 1) * shard),
          indexed: rows.indices !== null,
          used,
        };
        return new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
          worker.postMessage(task);
        });
      });
      const mine = {
        indices: rows.indices,
        start: rows.start + workers.length * shard,
        end: rows.end,
      };
      buildHistogram(data, gradients, hessians, mine, used, out, scratch);
      await Promise.all(done);
      for (const { out: part, worker } of workers) {
        worker.removeAllListeners('error');
        addHistogram(data, out, part, used);
      }
    },
    partition(rule: PartitionRule, begin: number, count: number) {
      return partitionRows(data.bins[rule.feature]!, indices, temp, begin, count, rule);
    },
    async close() {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}

/**
 * The compiled worker `file` beside this module; when running from the TypeScript sources
 * (tests), the compiled one in dist/ (workers cannot load .ts files).
 */
export function workerEntry(file: string): URL {
  for (const candidate of [`./${file}`, `../../dist/training/${file}`]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new TrainingError('Failed to start histogram workers: run `npm run build` first');
}
