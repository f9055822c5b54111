import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import { connectEmbedded } from './connect-embedded.js';
import { connectPostgres, splitSchema } from './connect-postgres.js';
import { migrateRegistry } from './migrate.js';
import type { RegistryDatabase } from './schema.js';
import { checkSchemaName } from './schema-name.js';

/** An open registry database: kysely on PostgreSQL (pg) or on embedded PGlite. */
export interface RegistryConnection {
  readonly db: Kysely<RegistryDatabase>;
  /** What to print for this registry: a masked URL or the embedded data folder. */
  readonly location: string;
  readonly backend: 'postgresql' | 'pglite';
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** `postgresql://…`; when omitted, the embedded registry at `dataDir` (or `pglite`). */
  url?: string;
  /** The embedded registry's folder (PGlite data under `pgdata/`, a lock beside it). */
  dataDir?: string;
  /** An already-open PGlite to use (tests); it is not closed by `close()`. */
  pglite?: PGlite;
  /**
   * A PostgreSQL schema to keep the tables in (created if missing); `public` by default.
   * A `?schema=name` parameter of the URL does the same.
   */
  schema?: string;
}

/**
 * Open the registry (PostgreSQL when a URL is given, else embedded PGlite) and bring its
 * tables up to date (migrations run under kysely's lock, so concurrent openers are safe).
 * Connection failures name host, port and database, never the password.
 *
 * @example
 * const connection = await connectRegistry({ dataDir: '.duckfeat/registry' });
 * try { await connection.db.selectFrom('projects').selectAll().execute(); }
 * finally { await connection.close(); }
 */
export async function connectRegistry(options: ConnectOptions): Promise<RegistryConnection> {
  let schema = options.schema;
  let url = options.url;
  if (url) ({ url, schema } = splitSchema(url, schema));
  if (schema !== undefined) checkSchemaName(schema);
  const connection = url
    ? await connectPostgres(url, schema)
    : await connectEmbedded(options, schema);
  try {
    await migrateRegistry(connection, schema);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return connection;
}
