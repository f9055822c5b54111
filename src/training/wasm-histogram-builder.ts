import type { BinnedDataset } from './dataset.js';
import type { RowSet } from './histogram.js';
import type { HistogramBuilder } from './tree-learner.js';
import { encodeModule, F64, I32, i32, mem, op, type WasmFunction } from './wasm-encoding.js';

// The row-slot histogram kernels of histogram.ts as WebAssembly (about twice as fast as the
// JIT's code here: no bounds checks, no tagged values). Each bin still adds its rows in row
// order, one float32 gradient widened to float64 at a time: the sums are the same doubles.

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

function kernel(name: string, indexed: boolean, subset: boolean): WasmFunction {
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

// The WebAssembly API as far as used here (the project's lib settings declare no DOM/wasm types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmModule {
  readonly kind: 'module';
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Instance: new (
    module: WasmModule,
    imports: { env: { memory: WasmMemory } },
  ) => { exports: unknown };
};

let compiled: WasmModule | null = null;
function histogramModule(): WasmModule {
  compiled ??= new WebAssembly.Module(
    encodeModule([
      kernel('range', false, false),
      kernel('indexed', true, false),
      kernel('rangeSubset', false, true),
      kernel('indexedSubset', true, true),
    ]),
  );
  return compiled;
}

type Kernel = (
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

const PAGE = 65536;
/** wasm32 addresses 4 GiB at most. */
const MAX_BYTES = 65536 * PAGE;

/**
 * Builds histograms in this thread with the WebAssembly kernels: the row slots, gradients,
 * hessians and the row partition live in the module's memory. Null when the dataset has no
 * row slots or does not fit 4 GiB (then use the JavaScript kernels).
 */
export function createWasmHistogramBuilder(data: BinnedDataset): HistogramBuilder | null {
  const { rowSlots, numRows: n, numFeatures: nf, binOffsets } = data;
  if (!rowSlots) return null;
  const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const layout = [16 * data.totalBins, 4 * nf, 4 * n, 4 * n, 4 * n, 2 * n * nf].map(align);
  const offsets: number[] = [];
  let total = 0;
  for (const bytes of layout) {
    offsets.push(total);
    total += bytes;
  }
  if (total > MAX_BYTES) return null;
  let memory: WasmMemory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(total / PAGE) });
  } catch {
    return null;
  }
  const exports = new WebAssembly.Instance(histogramModule(), { env: { memory } })
    .exports as Record<'range' | 'indexed' | 'rangeSubset' | 'indexedSubset', Kernel>;
  const [histAt, featsAt, gAt, hAt, idxAt, slotsAt] = offsets as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const buffer = memory.buffer;
  const hist = new Float64Array(buffer, histAt, 2 * data.totalBins);
  const feats = new Int32Array(buffer, featsAt, nf);
  const gradients = new Float32Array(buffer, gAt, n);
  const hessians = new Float32Array(buffer, hAt, n);
  const indices = new Int32Array(buffer, idxAt, n);
  new Uint16Array(buffer, slotsAt, n * nf).set(rowSlots);
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
            ? exports.rangeSubset
            : exports.range
          : subset
            ? exports.indexedSubset
            : exports.indexed;
      const begin = rows.indices === null ? rows.start : idxAt + 4 * rows.start;
      const end = rows.indices === null ? rows.end : idxAt + 4 * rows.end;
      run(slotsAt, nf, begin, end, gAt, hAt, histAt, featsAt, featsAt + 4 * count);
      for (let f = 0; f < nf; f++) {
        if (!used[f]) continue;
        const from = 2 * binOffsets[f]!;
        out.set(hist.subarray(from, 2 * binOffsets[f + 1]!), from);
      }
    },
    async close() {},
  };
}
