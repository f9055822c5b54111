import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnInfo } from '../duckdb/column-types.js';
import { errorMessage, InputError } from '../errors.js';
import { quoteIdentifier } from '../sql/identifiers.js';

/**
 * Entity rows, in any of the forms retrieval accepts.
 *
 * - a string: a `.parquet` / `.csv` path (globs allowed for parquet), or a SQL query
 *   (text starting with SELECT, WITH, FROM, VALUES or `(`);
 * - `{ path, format? }`, `{ sql }`: the same, explicit;
 * - `{ rows }`: row objects; `{ columns }`: equal-length arrays per column. Numbers that are
 *   all whole become BIGINT, other numbers DOUBLE, `bigint` BIGINT, strings VARCHAR,
 *   booleans BOOLEAN, `Date`s and `DuckDBTimestampValue`s TIMESTAMP (UTC).
 */
export type EntityInput =
  | string
  | { readonly path: string; readonly format?: 'parquet' | 'csv' }
  | { readonly sql: string }
  | { readonly rows: readonly Readonly<Record<string, unknown>>[] }
  | { readonly columns: Readonly<Record<string, readonly unknown[]>> };

/** Where the compiled SQL reads the entity rows from. */
export type EntityRelation =
  | { readonly kind: 'parquet' | 'csv'; readonly path: string }
  | { readonly kind: 'sql'; readonly sql: string }
  /** A temporary table the job creates on its connection before running the SQL. */
  | { readonly kind: 'memory'; readonly table: string; readonly rowCount: number };

/** In-memory entity rows, typed, ready to be loaded into the temporary table. */
export interface MemoryColumn {
  readonly name: string;
  readonly type: 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMP';
  readonly values: readonly unknown[];
}

/** The temporary table in-memory entity rows are loaded into (per connection). */
export const MEMORY_TABLE = 'duckfeat_entity_rows';
/** The column numbering entity rows in input order. */
export const ROW_COLUMN = '__duckfeat_row';

const SQL_START = /^\s*(select|with|from|values|\()/i;

/** Turn an entity input into a relation; checks that files exist. Pure apart from `stat`. */
export function resolveEntityRelation(
  input: EntityInput,
  cwd: string = process.cwd(),
): EntityRelation | { kind: 'memory'; memory: MemoryColumn[]; rowCount: number } {
  if (typeof input === 'string') {
    if (SQL_START.test(input)) return { kind: 'sql', sql: input.trim().replace(/;\s*$/, '') };
    return fileRelation(input, undefined, cwd);
  }
  if ('sql' in input) return { kind: 'sql', sql: input.sql.trim().replace(/;\s*$/, '') };
  if ('path' in input) return fileRelation(input.path, input.format, cwd);
  const columns = 'rows' in input ? rowsToColumns(input.rows) : input.columns;
  const memory = typeColumns(columns);
  return { kind: 'memory', memory, rowCount: memory[0]?.values.length ?? 0 };
}

function fileRelation(
  path: string,
  format: 'parquet' | 'csv' | undefined,
  cwd: string,
): EntityRelation {
  const absolute = resolve(cwd, path);
  const ext = extname(absolute).toLowerCase();
  const kind = format ?? (ext === '.csv' || ext === '.tsv' ? 'csv' : 'parquet');
  if (format === undefined && ext !== '.parquet' && ext !== '.csv' && ext !== '.tsv') {
    throw new InputError(
      `Failed to read entity rows: "${path}" is neither a .parquet or .csv file nor a SQL query`,
    );
  }
  if (!/[*?[]/.test(absolute) && !(existsSync(absolute) && statSync(absolute).isFile())) {
    throw new InputError(`Failed to read entity rows: no file at ${absolute}`);
  }
  return { kind, path: absolute };
}

/** The SQL that reads the relation's raw rows (no numbering), with its parameters. */
export function relationSource(relation: EntityRelation): {
  sql: string;
  parameters: Record<string, string>;
} {
  switch (relation.kind) {
    case 'parquet':
      return { sql: 'read_parquet($entity_path)', parameters: { entity_path: relation.path } };
    case 'csv':
      return { sql: 'read_csv($entity_path)', parameters: { entity_path: relation.path } };
    case 'sql':
      return { sql: `(${relation.sql})`, parameters: {} };
    case 'memory':
      return { sql: quoteIdentifier(MEMORY_TABLE), parameters: {} };
  }
}

/** Column names and types of an entity relation, read with a `LIMIT 0` query. */
export async function describeRelation(
  connection: DuckDBConnection,
  relation: EntityRelation,
): Promise<ColumnInfo[]> {
  const { sql, parameters } = relationSource(relation);
  try {
    const result = await connection.run(`SELECT * FROM ${sql} LIMIT 0`, parameters);
    const names = result.columnNames();
    const types = result.columnTypes();
    return names.map((name, i) => ({ name, type: types[i]!.toString() }));
  } catch (error) {
    const where =
      relation.kind === 'sql' ? 'the entity query' : (relation as { path: string }).path;
    throw new InputError(
      `Failed to read entity rows from ${where}: ${errorMessage(error).split('\n')[0]}`,
      { cause: error },
    );
  }
}

function rowsToColumns(
  rows: readonly Readonly<Record<string, unknown>>[],
): Record<string, unknown[]> {
  const columns: Record<string, unknown[]> = {};
  for (const row of rows) for (const name of Object.keys(row)) columns[name] ??= [];
  for (const [name, values] of Object.entries(columns)) {
    for (const row of rows) values.push(row[name] ?? null);
  }
  return columns;
}

function typeColumns(columns: Readonly<Record<string, readonly unknown[]>>): MemoryColumn[] {
  const entries = Object.entries(columns);
  if (entries.length === 0) throw new InputError('Failed to read entity rows: no columns');
  const length = entries[0]![1].length;
  return entries.map(([name, values]) => {
    if (values.length !== length) {
      throw new InputError(
        `Failed to read entity rows: column "${name}" has ${values.length} values, "${entries[0]![0]}" has ${length}`,
      );
    }
    return { name, type: inferType(name, values), values };
  });
}

function inferType(name: string, values: readonly unknown[]): MemoryColumn['type'] {
  const kinds = new Set<string>();
  let whole = true;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'number') {
      kinds.add('number');
      if (!Number.isSafeInteger(value)) whole = false;
    } else if (typeof value === 'bigint') kinds.add('bigint');
    else if (typeof value === 'string') kinds.add('string');
    else if (typeof value === 'boolean') kinds.add('boolean');
    else if (value instanceof Date || isTimestampValue(value)) kinds.add('timestamp');
    else kinds.add(typeof value);
  }
  if (kinds.size === 0) return 'VARCHAR';
  if (kinds.size === 2 && kinds.has('number') && kinds.has('bigint') && whole) return 'BIGINT';
  if (kinds.size > 1) {
    throw new InputError(
      `Failed to read entity rows: column "${name}" mixes value types (${[...kinds].join(', ')})`,
    );
  }
  const kind = [...kinds][0]!;
  switch (kind) {
    case 'number':
      return whole ? 'BIGINT' : 'DOUBLE';
    case 'bigint':
      return 'BIGINT';
    case 'string':
      return 'VARCHAR';
    case 'boolean':
      return 'BOOLEAN';
    case 'timestamp':
      return 'TIMESTAMP';
    default:
      throw new InputError(`Failed to read entity rows: column "${name}" holds ${kind} values`);
  }
}

/** A `DuckDBTimestampValue` (duck-typed: it carries `micros`). */
export function isTimestampValue(value: unknown): value is { micros: bigint } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { micros?: unknown }).micros === 'bigint'
  );
}
