import { parentPort, workerData } from 'node:worker_threads';
import { instantiateKernels, type WasmMemory } from './wasm-kernels.js';

/** What a histogram worker gets: the shared kernel memory and where things are in it. */
export interface WasmHistogramWorkerData {
  memory: WasmMemory;
  numFeatures: number;
  binOffsets: Int32Array;
  slotsAt: number;
  gAt: number;
  hAt: number;
  idxAt: number;
  featsAt: number;
  /** This worker's histogram. */
  histAt: number;
}

/**
 * One shard: rows `begin … end − 1` (index pointers when `indexed`), the features at
 * `featsAt` (`count` of them, all when `count` = numFeatures).
 */
export interface WasmHistogramTask {
  begin: number;
  end: number;
  indexed: boolean;
  count: number;
}

const init = workerData as WasmHistogramWorkerData;
const kernels = instantiateKernels(init.memory, true);
const nf = init.numFeatures;
const hist = new Float64Array(init.memory.buffer, init.histAt, 2 * init.binOffsets[nf]!);
const feats = new Int32Array(init.memory.buffer, init.featsAt, nf);

parentPort!.on('message', (task: WasmHistogramTask) => {
  for (let i = 0; i < task.count; i++) {
    const f = feats[i]! >> 1;
    hist.fill(0, 2 * init.binOffsets[f]!, 2 * init.binOffsets[f + 1]!);
  }
  const subset = task.count < nf;
  const run = task.indexed
    ? subset
      ? kernels.indexedSubset
      : kernels.indexed
    : subset
      ? kernels.rangeSubset
      : kernels.range;
  run(
    init.slotsAt,
    nf,
    task.begin,
    task.end,
    init.gAt,
    init.hAt,
    init.histAt,
    init.featsAt,
    init.featsAt + 4 * task.count,
  );
  parentPort!.postMessage(0);
});
