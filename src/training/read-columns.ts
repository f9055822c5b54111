import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors.js';
import { quoteIdentifier } from '../sql/identifiers.js';

/** Numeric columns of a query's result, as Float64Arrays (NULL → NaN). */
export interface NumericColumns {
  names: string[];
  columns: Float64Array[];
  numRows: number;
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** The names of the numeric columns of a parquet file, in file order. */
export async function numericColumnsOf(connection: DuckDBConnection, path: string) {
  const result = await connection.run('DESCRIBE SELECT * FROM read_parquet($path)', { path });
  const rows = (await result.getRowObjectsJS()) as { column_name: string; column_type: string }[];
  return {
    all: rows.map((r) => r.column_name),
    numeric: rows.filter((r) => NUMERIC.test(r.column_type)).map((r) => r.column_name),
  };
}

/**
 * Read `columns` of a parquet file CAST to DOUBLE, chunk by chunk into Float64Arrays
 * (DuckDB's vectors, not row objects: ~10× faster at a million rows).
 */
export async function readParquetColumns(
  connection: DuckDBConnection,
  path: string,
  columns: readonly string[],
): Promise<NumericColumns> {
  if (columns.length === 0) throw new InputError(`Failed to read ${path}: no columns to read`);
  const select = columns.map((c) => `CAST(${quoteIdentifier(c)} AS DOUBLE)`).join(', ');
  const result = await connection.run(`SELECT ${select} FROM read_parquet($path)`, { path });
  const numRows = Number(result.rowCount);
  const out = columns.map(() => new Float64Array(numRows));
  let row = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const n = chunk.rowCount;
    for (let j = 0; j < columns.length; j++) {
      const vector = chunk.getColumnVector(j);
      const target = out[j]!;
      for (let i = 0; i < n; i++) {
        const v = vector.getItem(i) as number | null;
        target[row + i] = v === null ? Number.NaN : v;
      }
    }
    row += n;
  }
  return { names: [...columns], columns: out, numRows };
}
