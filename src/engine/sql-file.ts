import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type {
  DuckDBConnection,
  DuckDBResultReader,
  DuckDBType,
  DuckDBValue,
} from '@duckdb/node-api';
import { duckdb } from '../duckdb/api.js';
import type { ColumnInfo } from '../duckdb/column-types.js';
import { withConnection } from '../duckdb/connection.js';
import { errorMessage, SqlFileError } from '../errors.js';
import { parseTimestamp } from './timestamps.js';

/** A parameter declared in a SQL file's header: `@param cutoff TIMESTAMP  the cutoff`. */
export interface SqlParameter {
  name: string;
  /** The DuckDB type the value is bound as; the value's own type when omitted. */
  type?: SqlParameterType;
  description?: string;
  /** 1-based line of the declaration. */
  line: number;
}

export type SqlParameterType = keyof typeof PARAMETER_TYPES;

/** A value that can be bound to a declared parameter (plain, so tasks stay serializable). */
export type SqlParamValue = string | number | bigint | boolean;

/** A loaded, checked parameterized SQL file. */
export interface SqlFile {
  path: string;
  /** The view the file computes, from the header's `name:`. */
  name: string;
  description: string;
  parameters: SqlParameter[];
  /** The whole file text (header included: comments are valid SQL, so line numbers hold). */
  sql: string;
  /** sha256 of the file text, hex. */
  sha256: string;
  /** Output columns, when described with {@link describeSqlFile}. */
  columns?: ColumnInfo[];
}

const PARAMETER_TYPES = {
  TIMESTAMP: duckdb.TIMESTAMP,
  DATE: duckdb.DATE,
  INTEGER: duckdb.INTEGER,
  BIGINT: duckdb.BIGINT,
  DOUBLE: duckdb.DOUBLE,
  VARCHAR: duckdb.VARCHAR,
  BOOLEAN: duckdb.BOOLEAN,
} satisfies Record<string, DuckDBType>;

const PARAM_USE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Load a parameterized SQL file: a `/* … *\/` header with `name:`, `description:` and
 * `@param name TYPE  description` lines, then one SELECT using `$name` parameters.
 * Refuses (with {@link SqlFileError} naming `file:line`) a missing header or name, an
 * unknown parameter type, a `$param` used but not declared (or declared but not used),
 * more than one statement, or SQL that does not parse. Parsing is checked with DuckDB's
 * parser on `options.connection` (or a throwaway in-memory instance); nothing is run.
 *
 * @example
 * const file = await loadSqlFile('sql/features/customer_rfm_features.sql');
 * file.name; // 'customer_rfm_features'
 * file.parameters.map((p) => p.name); // ['transactions', 'cutoff', 'feature_window_days']
 */
export async function loadSqlFile(
  path: string,
  options: { connection?: DuckDBConnection } = {},
): Promise<SqlFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SqlFileError(`Failed to read SQL file: ${errorMessage(error)}`, `${path}:1`, {
      cause: error,
    });
  }
  const file = parseSqlFile(path, text);
  if (options.connection) await checkParses(file, options.connection);
  else await withConnection((connection) => checkParses(file, connection), { threads: 1 });
  return file;
}

/** Parse a SQL file's text (header, parameters, parameter uses) without DuckDB. */
export function parseSqlFile(path: string, text: string): SqlFile {
  const at = (line: number) => `${path}:${line}`;
  const headerStart = text.search(/\S/);
  if (headerStart < 0 || !text.startsWith('/*', headerStart)) {
    throw new SqlFileError(
      'Failed to load SQL file: it must start with a /* … */ header naming the view',
      at(1),
    );
  }
  const headerEnd = text.indexOf('*/', headerStart);
  if (headerEnd < 0) throw new SqlFileError('Failed to load SQL file: unclosed header', at(1));
  const firstLine = lineOf(text, headerStart);
  const headerLines = text.slice(headerStart + 2, headerEnd).split('\n');

  let name: string | undefined;
  const description: string[] = [];
  const parameters: SqlParameter[] = [];
  let inDescription = false;
  headerLines.forEach((raw, index) => {
    const line = firstLine + index;
    const trimmed = raw.trim();
    const param = /^@param\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+([A-Za-z]+))?(?:\s+(.*))?$/.exec(
      trimmed,
    );
    if (trimmed.startsWith('@param')) {
      inDescription = false;
      if (!param) {
        throw new SqlFileError(
          'Failed to load SQL file: expected `@param name [TYPE] [description]`',
          at(line),
        );
      }
      const [, paramName, maybeType, rest] = param as unknown as [string, string, string?, string?];
      let type: SqlParameterType | undefined;
      let desc = rest;
      if (maybeType !== undefined) {
        const upper = maybeType.toUpperCase();
        if (upper in PARAMETER_TYPES) type = upper as SqlParameterType;
        else if (maybeType === upper) {
          throw new SqlFileError(
            `Failed to load SQL file: unknown parameter type ${maybeType} (known: ${Object.keys(PARAMETER_TYPES).join(', ')})`,
            at(line),
          );
        } else desc = rest ? `${maybeType} ${rest}` : maybeType;
      }
      if (parameters.some((p) => p.name === paramName)) {
        throw new SqlFileError(
          `Failed to load SQL file: parameter ${paramName} declared twice`,
          at(line),
        );
      }
      const description = desc?.trim();
      parameters.push({
        name: paramName,
        ...(type ? { type } : {}),
        ...(description ? { description } : {}),
        line,
      });
      return;
    }
    const field = /^([a-z_]+):\s*(.*)$/.exec(trimmed);
    if (field?.[1] === 'name') {
      inDescription = false;
      name = field[2]!.trim();
    } else if (field?.[1] === 'description') {
      inDescription = true;
      description.push(field[2]!.trim());
    } else if (inDescription && trimmed !== '') description.push(trimmed);
    else inDescription = false;
  });
  if (!name) {
    throw new SqlFileError('Failed to load SQL file: the header has no `name:` line', at(1));
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SqlFileError(`Failed to load SQL file: bad view name ${JSON.stringify(name)}`, at(1));
  }

  const body = stripCommentsAndStrings(text);
  const used = new Map<string, number>();
  for (const match of body.matchAll(PARAM_USE)) {
    if (!used.has(match[1]!)) used.set(match[1]!, lineOf(text, match.index));
  }
  for (const [param, line] of used) {
    if (!parameters.some((p) => p.name === param)) {
      throw new SqlFileError(
        `Failed to load SQL file: $${param} is used but not declared with @param`,
        at(line),
      );
    }
  }
  for (const param of parameters) {
    if (!used.has(param.name)) {
      throw new SqlFileError(
        `Failed to load SQL file: parameter ${param.name} is declared but never used as $${param.name}`,
        at(param.line),
      );
    }
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  return { path, name, description: description.join(' '), parameters, sql: text, sha256 };
}

async function checkParses(file: SqlFile, connection: DuckDBConnection): Promise<void> {
  let count: number;
  try {
    count = (await connection.extractStatements(file.sql)).count;
  } catch (error) {
    const message = errorMessage(error).replace(/^Failed to extract statements: /, '');
    const line = /LINE (\d+):/.exec(message)?.[1];
    throw new SqlFileError(
      `Failed to parse SQL file: ${message.split('\n')[0]}`,
      `${file.path}:${line ?? 1}`,
      { cause: error },
    );
  }
  if (count !== 1) {
    throw new SqlFileError(
      `Failed to load SQL file: expected one SELECT statement, found ${count}`,
      `${file.path}:1`,
    );
  }
}

/**
 * Check that `params` supplies exactly the parameters `file` declares, with values of the
 * declared types. Throws {@link SqlFileError} at the declaration's line (or the header's,
 * for a supplied parameter the file does not declare).
 */
export function checkBindings(file: SqlFile, params: Record<string, SqlParamValue>): void {
  for (const param of file.parameters) {
    if (params[param.name] === undefined) {
      throw new SqlFileError(
        `Failed to bind SQL file: parameter ${param.name} is declared but not supplied`,
        `${file.path}:${param.line}`,
      );
    }
    bindValue(file, param, params[param.name]!);
  }
  for (const supplied of Object.keys(params)) {
    if (!file.parameters.some((p) => p.name === supplied)) {
      throw new SqlFileError(
        `Failed to bind SQL file: parameter ${supplied} is supplied but not declared (declared: ${file.parameters.map((p) => p.name).join(', ') || 'none'})`,
        `${file.path}:${lineOf(file.sql, file.sql.search(/\S/))}`,
      );
    }
  }
}

/** The bound values and their DuckDB types, after {@link checkBindings}. */
export function bindSqlFile(
  file: SqlFile,
  params: Record<string, SqlParamValue>,
): { values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
  checkBindings(file, params);
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const param of file.parameters) {
    values[param.name] = bindValue(file, param, params[param.name]!);
    if (param.type) types[param.name] = PARAMETER_TYPES[param.type];
  }
  return { values, types };
}

function bindValue(file: SqlFile, param: SqlParameter, value: SqlParamValue): DuckDBValue {
  const fail = (why: string) =>
    new SqlFileError(
      `Failed to bind SQL file: parameter ${param.name} ${why}`,
      `${file.path}:${param.line}`,
    );
  switch (param.type) {
    case 'TIMESTAMP': {
      if (typeof value !== 'string') throw fail('must be an ISO timestamp string');
      const micros = parseTimestamp(value);
      if (micros === undefined) throw fail(`is not a timestamp: ${JSON.stringify(value)}`);
      return new duckdb.DuckDBTimestampValue(micros);
    }
    case 'INTEGER':
    case 'BIGINT':
      if (typeof value === 'bigint') return param.type === 'BIGINT' ? value : Number(value);
      if (typeof value !== 'number' || !Number.isInteger(value)) throw fail('must be an integer');
      return param.type === 'BIGINT' ? BigInt(value) : value;
    case 'DOUBLE':
      if (typeof value !== 'number') throw fail('must be a number');
      return value;
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw fail('must be a boolean');
      return value;
    case 'VARCHAR':
    case 'DATE':
      if (typeof value !== 'string') throw fail('must be a string');
      return value;
    default:
      return value;
  }
}

/**
 * The file's SELECT as a subquery-safe text: trailing `;` removed, ending on a newline so
 * a trailing `--` comment cannot swallow what a caller appends.
 */
export function selectText(file: SqlFile): string {
  return `${file.sql.trimEnd().replace(/;+$/, '')}\n`;
}

/**
 * Run a loaded SQL file with bound parameters and read the whole result.
 *
 * @example
 * const rows = (await runSqlFile(file, { transactions, cutoff: '2011-03-01 08:26:00',
 *   feature_window_days: 90 }, connection)).getRowObjectsJson();
 */
export async function runSqlFile(
  file: SqlFile,
  params: Record<string, SqlParamValue>,
  connection: DuckDBConnection,
): Promise<DuckDBResultReader> {
  const { values, types } = bindSqlFile(file, params);
  try {
    return await connection.runAndReadAll(selectText(file), values, types);
  } catch (error) {
    throw new SqlFileError(`Failed to run SQL file: ${errorMessage(error)}`, `${file.path}:1`, {
      cause: error,
    });
  }
}

/**
 * The output columns (names and DuckDB types) of a SQL file, from DuckDB's `DESCRIBE`,
 * without computing the result.
 *
 * @example
 * const columns = await describeSqlFile(file, params, connection);
 * // [{ name: 'customer_id', type: 'BIGINT' }, { name: 'event_timestamp', type: 'TIMESTAMP' }, …]
 */
export async function describeSqlFile(
  file: SqlFile,
  params: Record<string, SqlParamValue>,
  connection: DuckDBConnection,
): Promise<ColumnInfo[]> {
  const { values, types } = bindSqlFile(file, params);
  try {
    const result = await connection.runAndReadAll(
      `DESCRIBE (\n${selectText(file)})`,
      values,
      types,
    );
    return result.getRowObjectsJson().map((row) => ({
      name: String(row['column_name']),
      type: String(row['column_type']),
    }));
  } catch (error) {
    throw new SqlFileError(
      `Failed to describe SQL file: ${errorMessage(error)}`,
      `${file.path}:1`,
      { cause: error },
    );
  }
}

/** 1-based line number of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Blank out comments and string literals (keeping newlines) so `$name` scans are exact. */
function stripCommentsAndStrings(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|--[^\n]*|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, (m) =>
    m.replace(/[^\n]/g, ' '),
  );
}
