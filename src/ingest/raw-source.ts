import type { DuckDBConnection } from '@duckdb/node-api';
import { errorMessage, InputError } from '../errors.js';
import { quoteIdentifier } from '../sql/identifiers.js';
import { FIELDS, mapColumns } from './columns.js';

/** The input formats ingestion reads; an .xlsx is first converted to a canonical CSV. */
export type SourceKind = 'parquet' | 'csv' | 'canonical-csv';

/**
 * A `SELECT` producing `raw_transactions`: `source_row` (the spreadsheet row number, header =
 * row 1) and the eight canonical {@link FIELDS}, with the input file bound as `$input`.
 */
export interface RawSource {
  readonly sql: string;
  /** The input's column names as found (for messages). */
  readonly columns: readonly string[];
}

const TEXT_FIELDS = new Set(['invoice_no', 'stock_code', 'description', 'country']);

function scanOf(kind: SourceKind, latin1 = false): string {
  switch (kind) {
    case 'parquet':
      return 'read_parquet($input, file_row_number = true)';
    case 'csv':
      // parallel = false keeps the scan in file order, so row_number() is the line order.
      return `read_csv($input, header = true, all_varchar = true, parallel = false${latin1 ? `, encoding = 'latin-1'` : ''})`;
    case 'canonical-csv': {
      const columns = [
        `'source_row': 'BIGINT'`,
        ...FIELDS.map((field) => `'${field}': 'VARCHAR'`),
      ].join(', ');
      return `read_csv($input, header = true, quote = '"', escape = '"', columns = {${columns}})`;
    }
  }
}

function rowNumberOf(kind: SourceKind): string {
  switch (kind) {
    case 'parquet':
      return 'file_row_number + 2';
    case 'csv':
      return 'row_number() OVER () + 1';
    case 'canonical-csv':
      return 'source_row';
  }
}

/**
 * Text columns stay text even when the file stores numbers: a DOUBLE 536365.0 (how pandas
 * writes an xlsx column of invoice numbers) becomes '536365', not '536365.0'.
 */
function asText(column: string, type: string): string {
  const quoted = quoteIdentifier(column);
  if (type === 'VARCHAR') return quoted;
  if (/^(DOUBLE|FLOAT|DECIMAL)/.test(type)) {
    return `CASE WHEN ${quoted} = trunc(${quoted}) THEN CAST(CAST(${quoted} AS HUGEINT) AS VARCHAR) ELSE CAST(${quoted} AS VARCHAR) END`;
  }
  return `CAST(${quoted} AS VARCHAR)`;
}

/** Look at the input's columns and build the `raw_transactions` SELECT for it. */
export async function describeRawSource(
  connection: DuckDBConnection,
  input: string,
  kind: SourceKind,
): Promise<RawSource> {
  let scan = scanOf(kind);
  let names: string[];
  let types: string[];
  try {
    if (kind === 'csv' && !(await isUtf8(connection, scan, input))) {
      scan = scanOf(kind, true); // not UTF-8: Latin-1, as in the Kaggle export of the UCI data
    }
    const probe = await connection.runAndReadAll(`SELECT * FROM ${scan} LIMIT 0`, { input });
    names = probe.columnNames();
    types = probe.columnTypes().map((type) => type.toString());
  } catch (error) {
    const what = kind === 'parquet' ? 'parquet' : 'CSV';
    throw new InputError(
      `Failed to ingest ${input}: cannot read it as ${what}: ${firstLine(error)}`,
      {
        cause: error,
      },
    );
  }
  const visible = names.filter((name) => name !== 'file_row_number');
  // The canonical CSV written from an .xlsx already has the canonical names, in order.
  const indexes =
    kind === 'canonical-csv' ? FIELDS.map((_f, i) => i + 1) : mapColumns(visible, input);
  const selected = FIELDS.map((field, i) => {
    const column = visible[indexes[i]!]!;
    const type = types[names.indexOf(column)]!;
    const value = TEXT_FIELDS.has(field) ? asText(column, type) : quoteIdentifier(column);
    return `${value} AS ${field}`;
  });
  return {
    sql: `SELECT ${rowNumberOf(kind)} AS source_row, ${selected.join(', ')} FROM ${scan}`,
    columns: visible,
  };
}

/** Whether DuckDB reads the whole CSV as UTF-8 (invalid bytes fail the scan). */
async function isUtf8(connection: DuckDBConnection, scan: string, input: string): Promise<boolean> {
  try {
    await connection.run(`SELECT count(*) FROM ${scan}`, { input });
    return true;
  } catch (error) {
    if (/unicode|utf-?8/i.test(errorMessage(error))) return false;
    throw error;
  }
}

function firstLine(error: unknown): string {
  return errorMessage(error).split('\n')[0]!;
}
