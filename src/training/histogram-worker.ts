import { parentPort, workerData } from 'node:worker_threads';
import type { BinnedDataset } from './dataset.js';
import { buildHistogram } from './histogram.js';

/** What the main thread shares with a histogram worker (all SharedArrayBuffers). */
export interface HistogramWorkerData {
  bins: { buffer: SharedArrayBuffer; wide: boolean }[];
  binOffsets: Int32Array;
  numRows: number;
  gradients: SharedArrayBuffer;
  hessians: SharedArrayBuffer;
  indices: SharedArrayBuffer;
  out: SharedArrayBuffer;
  rowSlots: SharedArrayBuffer | null;
}

/** One shard to build: rows `start … end − 1` (of the index array when `indexed`). */
export interface HistogramTask {
  start: number;
  end: number;
  indexed: boolean;
  used: Uint8Array;
}

const init = workerData as HistogramWorkerData;
const data: BinnedDataset = {
  numRows: init.numRows,
  numFeatures: init.bins.length,
  mappers: [],
  bins: init.bins.map((b) => (b.wide ? new Uint16Array(b.buffer) : new Uint8Array(b.buffer))),
  binOffsets: init.binOffsets,
  totalBins: init.binOffsets[init.bins.length]!,
  rowSlots: init.rowSlots ? new Uint16Array(init.rowSlots) : null,
};
const gradients = new Float32Array(init.gradients);
const hessians = new Float32Array(init.hessians);
const indices = new Int32Array(init.indices);
const out = new Float64Array(init.out);
let scratch = { g: new Float32Array(0), h: new Float32Array(0) };

parentPort!.on('message', (task: HistogramTask) => {
  const n = task.end - task.start;
  if (scratch.g.length < n) scratch = { g: new Float32Array(n), h: new Float32Array(n) };
  buildHistogram(
    data,
    gradients,
    hessians,
    { indices: task.indexed ? indices : null, start: task.start, end: task.end },
    task.used,
    out,
    scratch,
  );
  parentPort!.postMessage(0);
});
