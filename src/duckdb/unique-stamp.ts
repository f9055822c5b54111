import type { DuckDBConnection } from '@duckdb/node-api';

/** The parquet key-value metadata key under which duckfeat states a file's uniqueness. */
export const UNIQUE_STAMP_KEY = 'duckfeat.unique';

/**
 * What a parquet file written by duckfeat states about its rows: no two rows with non-NULL
 * `keys` and `timestamp` share them, the rows are in `order`, and there are `rows` of them.
 * The row count binds the statement to the file it was written into: a file rewritten by
 * another tool that keeps the metadata but adds or drops rows no longer matches it.
 */
export interface UniqueStamp {
  readonly keys: readonly string[];
  readonly timestamp: string;
  readonly order: readonly string[];
  readonly rows: number;
}

/**
 * The `COPY … TO … (FORMAT parquet, …)` option that writes `stamp` into the file's footer,
 * with the value bound to the `$duckfeat_unique_stamp` parameter (see {@link stampParameter}).
 *
 * @example
 * await connection.run(`COPY (…) TO $target (${PARQUET_FORMAT}, ${UNIQUE_STAMP_OPTION})`, {
 *   target, ...stampParameter({ keys: ['customer_id'], timestamp: 'event_timestamp', order, rows }),
 * });
 */
export const UNIQUE_STAMP_OPTION = `KV_METADATA {"${UNIQUE_STAMP_KEY}": $duckfeat_unique_stamp}`;

/** The parameter {@link UNIQUE_STAMP_OPTION} reads. */
export function stampParameter(stamp: UniqueStamp): { duckfeat_unique_stamp: string } {
  return { duckfeat_unique_stamp: JSON.stringify(stamp) };
}

/**
 * The stamp of a parquet file and its actual row count (from the footer only; nothing else
 * is read). Undefined when the file has no stamp or the stamp is not one duckfeat wrote.
 */
export async function readUniqueStamp(
  connection: DuckDBConnection,
  path: string,
): Promise<{ stamp: UniqueStamp; fileRows: number } | undefined> {
  const reader = await connection.runAndReadAll(
    `SELECT
       (SELECT decode(value) FROM parquet_kv_metadata($path) WHERE decode(key) = $key LIMIT 1),
       (SELECT sum(num_rows) FROM parquet_file_metadata($path))`,
    { path, key: UNIQUE_STAMP_KEY },
  );
  const [text, fileRows] = reader.getRows()[0] ?? [];
  if (typeof text !== 'string') return undefined;
  const stamp = parseStamp(text);
  return stamp ? { stamp, fileRows: Number(fileRows) } : undefined;
}

function parseStamp(text: string): UniqueStamp | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { keys, timestamp, order, rows } = value as Record<string, unknown>;
  const names = (x: unknown): x is string[] =>
    Array.isArray(x) && x.length > 0 && x.every((s) => typeof s === 'string');
  if (!names(keys) || !names(order) || typeof timestamp !== 'string') return undefined;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) return undefined;
  return { keys, timestamp, order, rows };
}

/**
 * Whether a file's stamp proves it unique on (`keys`, `timestamp`) as a reader names them:
 * the same key columns (in any order) and timestamp column, and the file still holds the
 * number of rows the stamp was written for.
 */
export function stampProvesUnique(
  found: { stamp: UniqueStamp; fileRows: number },
  keys: readonly string[],
  timestamp: string,
): boolean {
  const { stamp, fileRows } = found;
  return (
    fileRows === stamp.rows &&
    stamp.timestamp === timestamp &&
    stamp.keys.length === keys.length &&
    keys.every((k) => stamp.keys.includes(k))
  );
}

/**
 * A query over a parquet file (bound to `$path`) counting the rows that are not strictly
 * after the row before them in file order, by (`first`, …`rest`): 0 proves the file sorted
 * and free of two rows equal on those columns. `lag(…) OVER ()` runs as a streaming window
 * over the scan in file order (no sort). Columns are SQL expressions; rows where any is NULL
 * are skipped. Returns one row with the count as `unsorted`.
 */
export function unsortedRowsSql(columns: readonly string[], from: string): string {
  const previous = columns.map((_, i) => `"__prev_${i}"`);
  const current = columns.map((_, i) => `"__cur_${i}"`);
  const notNull = columns.map((c) => `${c} IS NOT NULL`).join(' AND ');
  return [
    `SELECT count(*) FILTER (WHERE ${notAfter(current, previous)}) AS unsorted`,
    'FROM (',
    `  SELECT *, ${current.map((c, i) => `lag(${c}) OVER () AS ${previous[i]}`).join(', ')}`,
    '  FROM (',
    `    SELECT ${columns.map((c, i) => `${c} AS ${current[i]}`).join(', ')}`,
    `    FROM ${from}`,
    `    WHERE ${notNull}`,
    '  )',
    ')',
  ].join('\n');
}

/**
 * `(a1, a2, …) <= (b1, b2, …)` compared column by column, left to right (no NULLs: callers
 * filter them out; on the first row the `lag` is NULL and so is the whole comparison).
 */
export function notAfter(a: readonly string[], b: readonly string[]): string {
  const [head, ...rest] = a;
  const [other, ...others] = b;
  if (rest.length === 0) return `${head} <= ${other}`;
  return `(${head} < ${other} OR (${head} = ${other} AND ${notAfter(rest, others)}))`;
}
