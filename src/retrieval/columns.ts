import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBTypeId,
  JSDuckDBValueConverter,
} from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';

/**
 * A retrieval result by column. DOUBLE columns (numeric features, cast in SQL) are
 * `Float64Array`s with NULL as NaN; every other column is an array of JS values
 * (BIGINT → `bigint`, TIMESTAMP → `Date`, VARCHAR → `string`, NULL → `null`).
 */
export interface RetrievalColumns {
  readonly rowCount: number;
  /** Column names in output order. */
  readonly names: readonly string[];
  readonly columns: Readonly<Record<string, Float64Array | unknown[]>>;
}

/** How one result column is read from a chunk into its output array. */
type Reader = (vector: bindings.Vector, chunk: DuckDBDataChunk, k: number, size: number) => void;

const MIN_DATE_MS = -8_640_000_000_000_000;
const MAX_DATE_MS = 8_640_000_000_000_000;

/**
 * Run `sql` and read its result as it streams, chunk by chunk: DOUBLE vectors are copied
 * straight from DuckDB's memory into one `Float64Array` per column (NaN where the validity
 * mask says NULL); BIGINT and TIMESTAMP vectors are read from their raw int64 data. The
 * result is never materialized a second time on DuckDB's side (a streaming result, not a
 * materialized one), and no per-value wrapper objects are made for numeric columns.
 * `expectedRows` (e.g. the entity row count) sizes the arrays up front; without it they grow.
 *
 * @example
 * const { rowCount, columns } = await readColumns(connection, 'SELECT 1.5::DOUBLE AS x', {});
 * // columns.x: Float64Array [1.5]
 */
export async function readColumns(
  connection: DuckDBConnection,
  sql: string,
  parameters: Record<string, string | number>,
  expectedRows?: number,
): Promise<RetrievalColumns> {
  const result = await connection.stream(sql, parameters);
  const names = result.columnNames();
  const types = names.map((_, k) => result.columnTypeId(k));
  let capacity = Math.max(expectedRows ?? 0, 2048);
  const out: (Float64Array | unknown[])[] = types.map((type) =>
    type === DuckDBTypeId.DOUBLE ? new Float64Array(capacity) : [],
  );
  let offset = 0;
  const readers: Reader[] = types.map((type, k) => {
    switch (type) {
      case DuckDBTypeId.DOUBLE:
        return (vector, _chunk, _k, size) =>
          copyDoubles(vector, size, out[k] as Float64Array, offset);
      case DuckDBTypeId.BIGINT:
        return (vector, _chunk, _k, size) =>
          readInt64(vector, size, out[k] as unknown[], offset, (v) => v);
      case DuckDBTypeId.TIMESTAMP:
        return (vector, _chunk, _k, size) =>
          readInt64(vector, size, out[k] as unknown[], offset, dateFromMicros);
      default:
        return (_vector, chunk, kk, size) => {
          const values = chunk.convertColumnValues(kk, JSDuckDBValueConverter);
          const target = out[k] as unknown[];
          for (let i = 0; i < size; i++) target[offset + i] = values[i];
        };
    }
  });
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const size = chunk.rowCount;
    if (offset + size > capacity) {
      capacity = Math.max(capacity * 2, offset + size);
      out.forEach((column, k) => {
        if (!(column instanceof Float64Array)) return;
        const grown = new Float64Array(capacity);
        grown.set(column.subarray(0, offset));
        out[k] = grown;
      });
    }
    for (let k = 0; k < names.length; k++) {
      readers[k]!(bindings.data_chunk_get_vector(chunk.chunk, k), chunk, k, size);
    }
    offset += size;
  }
  const columns: Record<string, Float64Array | unknown[]> = {};
  names.forEach((name, k) => {
    const column = out[k]!;
    // Trim only when the arrays were sized wrong (a copy); with the right hint this is free.
    columns[name] =
      column instanceof Float64Array && column.length !== offset ? column.slice(0, offset) : column;
  });
  return { rowCount: offset, names, columns };
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
