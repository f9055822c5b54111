import type { DuckDBConnection } from '@duckdb/node-api';
import { isNumericType } from '../duckdb/column-types.js';
import { readColumns } from '../duckdb/read-columns.js';
import { InputError } from '../errors.js';
import { quoteIdentifier } from '../sql/identifiers.js';

/** Numeric columns of a query's result, as Float64Arrays (NULL → NaN). */
export interface NumericColumns {
  names: string[];
  columns: Float64Array[];
  numRows: number;
}

/** The names of the numeric columns of a parquet file, in file order. */
export async function numericColumnsOf(connection: DuckDBConnection, path: string) {
  const result = await connection.run('DESCRIBE SELECT * FROM read_parquet($path)', { path });
  const rows = (await result.getRowObjectsJS()) as { column_name: string; column_type: string }[];
  return {
    all: rows.map((r) => r.column_name),
    numeric: rows.filter((r) => isNumericType(r.column_type)).map((r) => r.column_name),
  };
}

/**
 * Read `columns` of a parquet file CAST to DOUBLE into Float64Arrays, vector by vector
 * (the column reader of `duckdb/read-columns.ts`: DuckDB's memory copied straight in, NULL → NaN).
 */
export async function readParquetColumns(
  connection: DuckDBConnection,
  path: string,
  columns: readonly string[],
): Promise<NumericColumns> {
  if (columns.length === 0) throw new InputError(`Failed to read ${path}: no columns to read`);
  const select = columns.map((c) => `CAST(${quoteIdentifier(c)} AS DOUBLE)`).join(', ');
  const result = await readColumns(connection, `SELECT ${select} FROM read_parquet($path)`, {
    path,
  });
  const out = result.names.map((name) => result.columns[name] as Float64Array);
  return { names: [...columns], columns: out, numRows: result.rowCount };
}
