// The few pieces of the WebAssembly binary format the training kernels need
// (https://webassembly.github.io/spec/core/binary/): there is no wasm toolchain in the build,
// and the kernels are small enough to write as instructions.

export const I32 = 0x7f;
export const F64 = 0x7c;

/** Opcodes used by the kernels. */
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Load8U: 0x2d,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  select: 0x1b,
  f64Store: 0x39,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32LeU: 0x4d,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f64Add: 0xa0,
  f64PromoteF32: 0xbb,
  /** Block type "no result". */
  void: 0x40,
} as const;

export function uleb(value: number): number[] {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  let n = value | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vector([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** `i32.const n`. */
export const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];
/** A memory access's alignment (log2 bytes) and offset. */
export const mem = (alignLog2: number, offset = 0): number[] => [alignLog2, ...uleb(offset)];

export interface WasmFunction {
  name: string;
  params: number[];
  /** Local groups after the parameters: [count, type]. */
  locals: [number, number][];
  body: number[];
  /** The result type, if the function returns one value. */
  result?: number;
}

/**
 * A module importing one memory (`env.memory`; a shared one, of at most 4 GiB, when
 * `sharedMemory`) and exporting `functions`.
 */
export function encodeModule(functions: readonly WasmFunction[], sharedMemory = false): Uint8Array {
  const types = functions.map((f) => [
    0x60,
    ...vector(f.params.map((p) => [p])),
    ...vector(f.result === undefined ? [] : [[f.result]]),
  ]);
  // Limits: flags 0 = minimum only; 3 = minimum, maximum, shared.
  const limits = sharedMemory ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, ...limits];
  const code = functions.map((f) => {
    const body = [...vector(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body, op.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(code)),
  ]);
}
