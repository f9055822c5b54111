import { encodeModule, F64, I32, i32, mem, op, type WasmFunction } from './wasm-encoding.js';

// The training's hot loops as WebAssembly, about twice as fast as the JIT's code for the same
// loops here (no bounds checks). The row-slot histogram kernels of histogram.ts: each bin
// still adds its rows in row order, one float32 gradient widened to float64 at a time, so the
// sums are the same doubles. The stable partition of tree-learner.ts.

// Parameters (all i32): row slots, features, first row (or index pointer), end, gradients,
// hessians, histogram, feature list (byte offsets f·2 within a row) and its end.
const SLOTS = 0;
const NF = 1;
const BEGIN = 2;
const END = 3;
const G = 4;
const H = 5;
const OUT = 6;
const FEATS = 7;
const FEATS_END = 8;
// Locals.
const R = 9;
const K = 10;
const KEND = 11;
const B = 12;
const P = 13;
const GV = 14;
const HV = 15;

const get = (i: number) => [op.localGet, i];
const set = (i: number) => [op.localSet, i];
const tee = (i: number) => [op.localTee, i];

/** hist[2·slot] += g; hist[2·slot + 1] += h, for the u16 slot at `slotAddress`. */
function addToSlot(slotAddress: number[]): number[] {
  return [
    ...get(OUT),
    ...slotAddress,
    op.i32Load16U,
    ...mem(1),
    ...i32(4),
    op.i32Shl,
    op.i32Add,
    ...tee(B),
    ...get(B),
    op.f64Load,
    ...mem(3),
    ...get(GV),
    op.f64Add,
    op.f64Store,
    ...mem(3),
    ...get(B),
    ...get(B),
    op.f64Load,
    ...mem(3, 8),
    ...get(HV),
    op.f64Add,
    op.f64Store,
    ...mem(3, 8),
  ];
}

function histogramKernel(name: string, indexed: boolean, subset: boolean): WasmFunction {
  const features = subset
    ? [
        ...get(FEATS),
        ...set(P),
        op.loop,
        op.void,
        ...addToSlot([...get(K), ...get(P), op.i32Load, ...mem(2), op.i32Add]),
        ...get(P),
        ...i32(4),
        op.i32Add,
        ...tee(P),
        ...get(FEATS_END),
        op.i32LtU,
        op.brIf,
        0,
        op.end,
      ]
    : [
        ...get(K),
        ...get(NF),
        ...i32(1),
        op.i32Shl,
        op.i32Add,
        ...set(KEND),
        op.loop,
        op.void,
        ...addToSlot(get(K)),
        ...get(K),
        ...i32(2),
        op.i32Add,
        ...tee(K),
        ...get(KEND),
        op.i32LtU,
        op.brIf,
        0,
        op.end,
      ];
  const body = [
    op.block,
    op.void,
    ...get(BEGIN),
    ...get(END),
    op.i32GeU,
    op.brIf,
    0,
    op.loop,
    op.void,
    ...(indexed ? [...get(BEGIN), op.i32Load, ...mem(2)] : get(BEGIN)),
    ...set(R),
    ...get(G),
    ...get(R),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    op.f32Load,
    ...mem(2),
    op.f64PromoteF32,
    ...set(GV),
    ...get(H),
    ...get(R),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    op.f32Load,
    ...mem(2),
    op.f64PromoteF32,
    ...set(HV),
    ...get(SLOTS),
    ...get(R),
    ...get(NF),
    op.i32Mul,
    ...i32(1),
    op.i32Shl,
    op.i32Add,
    ...set(K),
    ...features,
    ...get(BEGIN),
    ...i32(indexed ? 4 : 1),
    op.i32Add,
    ...tee(BEGIN),
    ...get(END),
    op.i32LtU,
    op.brIf,
    0,
    op.end,
    op.end,
  ];
  return {
    name,
    params: Array.from({ length: 9 }, () => I32),
    locals: [
      [5, I32],
      [2, F64],
    ],
    body,
  };
}

// Partition parameters (i32): bins, first index pointer, end, temp, threshold bin, missing
// bin (−1: none), default left (0/1). Locals: left and right write pointers, row, bin, side.
const PBINS = 0;
const PBEGIN = 1;
const PEND = 2;
const PTEMP = 3;
const PTHRESHOLD = 4;
const PMISSING = 5;
const PDEFAULT = 6;
const PLEFT = 7;
const PRIGHT = 8;
const PROW = 9;
const PBIN = 10;
const PSIDE = 11;

/** Branch-free: each row is written to both sides; the side it belongs to advances. */
function partitionKernel(name: string, load: number, widthLog2: number): WasmFunction {
  const body = [
    ...get(PBEGIN),
    ...set(PLEFT),
    ...get(PTEMP),
    ...set(PRIGHT),
    op.block,
    op.void,
    ...get(PBEGIN),
    ...get(PEND),
    op.i32GeU,
    op.brIf,
    0,
    op.loop,
    op.void,
    ...get(PBEGIN),
    op.i32Load,
    ...mem(2),
    ...tee(PROW),
    ...(widthLog2 > 0 ? [...i32(widthLog2), op.i32Shl] : []),
    ...get(PBINS),
    op.i32Add,
    load,
    ...mem(widthLog2),
    ...set(PBIN),
    // side = bin == missing ? defaultLeft : bin <= threshold
    ...get(PDEFAULT),
    ...get(PBIN),
    ...get(PTHRESHOLD),
    op.i32LeU,
    ...get(PBIN),
    ...get(PMISSING),
    op.i32Eq,
    op.select,
    ...set(PSIDE),
    ...get(PLEFT),
    ...get(PROW),
    op.i32Store,
    ...mem(2),
    ...get(PRIGHT),
    ...get(PROW),
    op.i32Store,
    ...mem(2),
    ...get(PLEFT),
    ...get(PSIDE),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...set(PLEFT),
    ...get(PRIGHT),
    ...i32(4),
    op.i32Add,
    ...get(PSIDE),
    ...i32(2),
    op.i32Shl,
    op.i32Sub,
    ...set(PRIGHT),
    ...get(PBEGIN),
    ...i32(4),
    op.i32Add,
    ...tee(PBEGIN),
    ...get(PEND),
    op.i32LtU,
    op.brIf,
    0,
    op.end,
    op.end,
    ...get(PRIGHT),
    ...get(PTEMP),
    op.i32Sub,
    ...i32(2),
    op.i32ShrU,
  ];
  return {
    name,
    params: Array.from({ length: 7 }, () => I32),
    locals: [[5, I32]],
    body,
    result: I32,
  };
}

// The WebAssembly API as far as used here (the project's lib settings declare no DOM/wasm types).
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmModule {
  readonly kind: 'module';
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Instance: new (
    module: WasmModule,
    imports: { env: { memory: WasmMemory } },
  ) => { exports: unknown };
};

const compiled = new Map<boolean, WasmModule>();

/** The kernels, instantiated over `memory` (`shared`: made by createMemory(…, true)). */
export function instantiateKernels(memory: WasmMemory, shared = false): Kernels {
  let module = compiled.get(shared);
  if (!module) {
    module = new WebAssembly.Module(
      encodeModule(
        [
          histogramKernel('range', false, false),
          histogramKernel('indexed', true, false),
          histogramKernel('rangeSubset', false, true),
          histogramKernel('indexedSubset', true, true),
          partitionKernel('partition8', op.i32Load8U, 0),
          partitionKernel('partition16', op.i32Load16U, 1),
        ],
        shared,
      ),
    );
    compiled.set(shared, module);
  }
  return new WebAssembly.Instance(module, { env: { memory } }).exports as Kernels;
}

/**
 * A new memory of `bytes` (rounded up to pages), or null when it cannot be had. A `shared`
 * one (its buffer a SharedArrayBuffer) can be sent to worker threads.
 */
export function createMemory(bytes: number, shared = false): WasmMemory | null {
  if (bytes > MAX_BYTES) return null;
  const pages = Math.ceil(bytes / PAGE);
  try {
    return new WebAssembly.Memory(
      shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages },
    );
  } catch {
    return null;
  }
}

/**
 * Histogram kernel: adds rows `begin … end − 1` (or the rows at the i32 pointers `begin …
 * end − 4` for the indexed ones) into the histogram at `out`; the subset kernels only the
 * features whose byte offsets (f·2) are the i32s at `feats … featsEnd − 4`.
 */
export type HistogramKernel = (
  slots: number,
  nf: number,
  begin: number,
  end: number,
  g: number,
  h: number,
  out: number,
  feats: number,
  featsEnd: number,
) => void;

/**
 * Stable partition of the row indices at the i32 pointers `begin … end − 4` by the bins at
 * `bins` (u8 or u16 per row): left rows move to the front in place, right rows go to `temp`.
 * Returns the number of right rows.
 */
export type PartitionKernel = (
  bins: number,
  begin: number,
  end: number,
  temp: number,
  threshold: number,
  missingBin: number,
  defaultLeft: number,
) => number;

export interface Kernels {
  range: HistogramKernel;
  indexed: HistogramKernel;
  rangeSubset: HistogramKernel;
  indexedSubset: HistogramKernel;
  partition8: PartitionKernel;
  partition16: PartitionKernel;
}

const PAGE = 65536;
/** wasm32 addresses 4 GiB at most. */
const MAX_BYTES = 65536 * PAGE;
