import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { duckdb } from './api.js';

/**
 * A retrieval result by column. DOUBLE columns (numeric features, cast in SQL) are
 * `Float64Array`s with NULL as NaN; every other column is an array of JS values
 * (BIGINT → `bigint`, TIMESTAMP → `Date`, VARCHAR → `string`, NULL → `null`).
 */
export interface ResultColumns {
  readonly rowCount: number;
  /** Column names in output order. */
  readonly names: readonly string[];
  readonly columns: Readonly<Record<string, Float64Array | unknown[]>>;
}

/** How one result column is read from a chunk into its output array at `offset`. */
type Reader = (
  vector: bindings.Vector,
  chunk: DuckDBDataChunk,
  k: number,
  size: number,
  offset: number,
) => void;

const MIN_DATE_MS = -8_640_000_000_000_000;
const MAX_DATE_MS = 8_640_000_000_000_000;

/**
 * Run `sql` and read its result column by column: DOUBLE vectors are copied straight from
 * DuckDB's memory into one `Float64Array` per column (NaN where the validity mask says
 * NULL); BIGINT and TIMESTAMP vectors are read from their raw int64 data; no per-value
 * wrapper objects are made for numeric columns. The result is materialized on DuckDB's side
 * first (the query runs in parallel to the end, and its row count sizes every array exactly),
 * then its chunks are read synchronously: about twice as fast as pulling a streaming result
 * chunk by chunk through one asynchronous call each (BENCHMARKS.md), at the cost of DuckDB
 * holding the result until it is copied (released when this returns).
 *
 * @example
 * const { rowCount, columns } = await readColumns(connection, 'SELECT 1.5::DOUBLE AS x', {});
 * // columns.x: Float64Array [1.5]
 */
export async function readColumns(
  connection: DuckDBConnection,
  sql: string,
  parameters: Record<string, string | number>,
): Promise<ResultColumns> {
  const result = await connection.run(sql, parameters);
  const names = result.columnNames();
  const rowCount = Number(result.rowCount);
  const out: (Float64Array | unknown[])[] = names.map((_, k) =>
    result.columnTypeId(k) === duckdb.DuckDBTypeId.DOUBLE
      ? new Float64Array(rowCount)
      : new Array<unknown>(rowCount),
  );
  const readers: Reader[] = names.map((_, k) => {
    switch (result.columnTypeId(k)) {
      case duckdb.DuckDBTypeId.DOUBLE:
        return (vector, _chunk, _k, size, offset) =>
          copyDoubles(vector, size, out[k] as Float64Array, offset);
      case duckdb.DuckDBTypeId.BIGINT:
        return (vector, _chunk, _k, size, offset) =>
          readInt64(vector, size, out[k] as unknown[], offset, (v) => v);
      case duckdb.DuckDBTypeId.TIMESTAMP:
        return (vector, _chunk, _k, size, offset) =>
          readInt64(vector, size, out[k] as unknown[], offset, dateFromMicros);
      default:
        return (_vector, chunk, kk, size, offset) => {
          const values = chunk.convertColumnValues(kk, duckdb.JSDuckDBValueConverter);
          const target = out[k] as unknown[];
          for (let i = 0; i < size; i++) target[offset + i] = values[i];
        };
    }
  });
  let offset = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const size = chunk.rowCount;
    for (let k = 0; k < names.length; k++) {
      readers[k]!(bindings.data_chunk_get_vector(chunk.chunk, k), chunk, k, size, offset);
    }
    offset += size;
  }
  if (offset !== rowCount) {
    throw new Error(`DuckDB returned ${offset} rows in chunks but reported ${rowCount}`);
  }
  const columns: Record<string, Float64Array | unknown[]> = {};
  names.forEach((name, k) => {
    columns[name] = out[k]!;
  });
  return { rowCount, names, columns };
}

function copyDoubles(
  vector: bindings.Vector,
  size: number,
  target: Float64Array,
  offset: number,
): void {
  target.set(float64View(bindings.vector_get_data(vector, size * 8), size), offset);
  const validity = bindings.vector_get_validity(vector, Math.ceil(size / 64) * 8);
  if (!validity || validity.length === 0) return;
  for (let byte = 0; byte < Math.ceil(size / 8); byte++) {
    const bits = validity[byte]!;
    if (bits === 0xff) continue;
    for (let bit = 0; bit < 8; bit++) {
      const i = byte * 8 + bit;
      if (i < size && (bits & (1 << bit)) === 0) target[offset + i] = Number.NaN;
    }
  }
}

/** int64 vector data → JS values through `convert`; NULL (validity bit clear) → null. */
function readInt64(
  vector: bindings.Vector,
  size: number,
  target: unknown[],
  offset: number,
  convert: (value: bigint) => unknown,
): void {
  const bytes = bindings.vector_get_data(vector, size * 8);
  const values =
    bytes.byteOffset % 8 === 0
      ? new BigInt64Array(bytes.buffer, bytes.byteOffset, size)
      : new BigInt64Array(bytes.slice().buffer, 0, size);
  const validity = bindings.vector_get_validity(vector, Math.ceil(size / 64) * 8);
  const hasNulls = validity && validity.length > 0;
  for (let i = 0; i < size; i++) {
    target[offset + i] =
      hasNulls && (validity[i >> 3]! & (1 << (i & 7))) === 0 ? null : convert(values[i]!);
  }
}

function float64View(bytes: Uint8Array, size: number): Float64Array {
  return bytes.byteOffset % 8 === 0
    ? new Float64Array(bytes.buffer, bytes.byteOffset, size)
    : new Float64Array(bytes.slice().buffer, 0, size);
}

/**
 * TIMESTAMP microseconds → `Date` (milliseconds truncated toward zero), as node-api's JS
 * converter does; exact integer arithmetic on doubles below 2^53 µs, BigInt beyond.
 */
function dateFromMicros(micros: bigint): Date {
  const n = Number(micros);
  let millis: number;
  if (Number.isSafeInteger(n)) {
    const rest = n % 1000;
    millis = (n - rest) / 1000;
  } else {
    millis = Number(micros / 1000n);
  }
  if (millis < MIN_DATE_MS || millis > MAX_DATE_MS) {
    throw new RangeError(`TIMESTAMP value out of range for JS Date: ${micros} micros`);
  }
  return new Date(millis);
}
