import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from './api.js';

export interface DuckDBOptions {
  /** Database file; in-memory when omitted. */
  path?: string | undefined;
  /** DuckDB `threads` setting; DuckDB's default (all cores) when omitted. */
  threads?: number | undefined;
  /** DuckDB `memory_limit`, e.g. `'4GB'`. */
  memoryLimit?: string | undefined;
}

/** Create a DuckDB instance with duckdb's settings as strings, as the API wants them. */
export async function createInstance(options: DuckDBOptions = {}): Promise<DuckDBInstance> {
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config['threads'] = String(options.threads);
  if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
  return duckdb.DuckDBInstance.create(options.path ?? ':memory:', config);
}

/**
 * Run `fn` with a fresh connection on a fresh instance (or the one given), and release
 * them afterwards, whatever happens.
 */
export async function withConnection<T>(
  fn: (connection: DuckDBConnection) => Promise<T>,
  options: DuckDBOptions & { instance?: DuckDBInstance } = {},
): Promise<T> {
  const instance = options.instance ?? (await createInstance(options));
  const connection = await instance.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    if (!options.instance) instance.closeSync();
  }
}
