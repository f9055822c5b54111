import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { errorMessage, RegistryError } from '../errors.js';
import { PGliteDialect } from './dialect/pglite-dialect.js';
import { acquireFileLock, type FileLock } from './file-lock.js';
import { maskUrl, scrub, urlPassword } from './mask-url.js';
import { migrationProvider, migrations } from './migrations/index.js';
import { openPGlite } from './open-pglite.js';
import type { RegistryDatabase } from './schema.js';

const TIMESTAMP_OIDS = [1114, 1184];

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
 * Open the registry and bring its tables up to date (migrations run under kysely's lock, so
 * concurrent openers are safe). Connection failures name host, port and database, never the
 * password.
 */
export async function connectRegistry(options: ConnectOptions): Promise<RegistryConnection> {
  let schema = options.schema;
  let url = options.url;
  if (url) ({ url, schema } = splitSchema(url, schema));
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new RegistryError(
      `Failed to open the registry: schema ${JSON.stringify(schema)} is not a plain identifier`,
    );
  }
  const connection = url ? await connectPostgres(url, schema) : await connectPGlite(options);
  try {
    await migrate(connection, schema);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return connection;
}

/** Take duckfeat's own `?schema=name` URL parameter out of a URL before `pg` sees it. */
function splitSchema(url: string, schema?: string): { url: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, ...(schema ? { schema } : {}) };
  }
  const fromUrl = parsed.searchParams.get('schema');
  if (fromUrl === null) return { url, ...(schema ? { schema } : {}) };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(fromUrl)) {
    throw new RegistryError(
      `Failed to open the registry: schema ${JSON.stringify(fromUrl)} in ${maskUrl(url)} is not a plain identifier`,
    );
  }
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema: schema ?? fromUrl };
}

async function connectPostgres(url: string, schema?: string): Promise<RegistryConnection> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new RegistryError(
      `Failed to open the registry: ${maskUrl(url)} is not a postgresql:// URL`,
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 10_000,
    // Sessions in UTC: `now()` fills timestamp (without time zone) columns, documented as UTC.
    // The schema quoted as `create schema` quotes it: unquoted, `Retail` would fold to `retail`.
    options: ['-c TimeZone=UTC', ...(schema ? [`-c search_path="${schema}"`] : [])].join(' '),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        TIMESTAMP_OIDS.includes(oid)
          ? (value: string) => value
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const location = maskUrl(url);
  const db = new Kysely<RegistryDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw connectionError(url, error);
  }
  return { db, location, backend: 'postgresql', close: () => db.destroy() };
}

/** A connection failure explained without the password. */
export function connectionError(url: string, error: unknown): RegistryError {
  let host = '?';
  let port = '5432';
  let database = '?';
  let user = '';
  try {
    const parsed = new URL(url);
    host = parsed.hostname || 'localhost';
    port = parsed.port || '5432';
    database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default)';
    user = decodeURIComponent(parsed.username);
  } catch {}
  const reason = scrub(
    errorMessage(error) || String((error as { code?: string })?.code),
    urlPassword(url),
  );
  return new RegistryError(
    `Failed to connect to the registry at ${maskUrl(url)} (host ${host}, port ${port}, ` +
      `database ${database}): ${reason}. Check that PostgreSQL is running and reachable at ` +
      `${host}:${port}, that database "${database}" exists${user ? ` and user "${user}" may connect with its password` : ''}, ` +
      'or unset DUCKFEAT_REGISTRY_URL to use the embedded registry',
  );
}

async function connectPGlite(options: ConnectOptions): Promise<RegistryConnection> {
  if (options.pglite) {
    const db = new Kysely<RegistryDatabase>({
      dialect: new PGliteDialect(options.pglite, options.schema),
    });
    return {
      db,
      location: 'embedded PGlite (given instance)',
      backend: 'pglite',
      close: () => db.destroy(),
    };
  }
  if (!options.dataDir) throw new RegistryError('Failed to open the registry: no location given');
  await mkdir(options.dataDir, { recursive: true });
  // PGlite is single-process: a second CLI process waits here until the first closes.
  const lock: FileLock = await acquireFileLock(join(options.dataDir, 'open.lock'), {
    what: `the embedded registry ${options.dataDir}`,
  });
  let pglite: PGlite;
  try {
    pglite = await openPGlite(join(options.dataDir, 'pgdata'));
  } catch (error) {
    await lock.release();
    throw new RegistryError(
      `Failed to open the embedded registry at ${options.dataDir}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const db = new Kysely<RegistryDatabase>({ dialect: new PGliteDialect(pglite, options.schema) });
  return {
    db,
    location: `embedded PGlite at ${options.dataDir}`,
    backend: 'pglite',
    close: async () => {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        await lock.release();
      }
    },
  };
}

/**
 * Whether every migration is already recorded: the common case, answered by one read,
 * without the migrator's lock-table writes (which cost PGlite a flush at close).
 */
async function upToDate(db: Kysely<RegistryDatabase>, schema?: string): Promise<boolean> {
  try {
    const table = schema ? sql.id(schema, 'kysely_migration') : sql.id('kysely_migration');
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
    const done = new Set(rows.map((r) => r.name));
    return Object.keys(migrations).every((name) => done.has(name));
  } catch {
    return false;
  }
}

async function migrate(connection: RegistryConnection, schema?: string): Promise<void> {
  const { db } = connection;
  try {
    if (schema) {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db).catch(async (e) => {
        // Two openers racing on a new schema: the loser's unique violation is harmless.
        if ((e as { code?: string }).code !== '23505') throw e;
      });
    }
    // Name kysely's own tables' schema even without one of ours: left unnamed, the migrator
    // takes a `kysely_migration` table in any other schema of the database for its own.
    const tableSchema =
      schema ??
      (await sql<{ name: string | null }>`select current_schema() as name`.execute(db)).rows[0]
        ?.name ??
      'public';
    if (await upToDate(db, tableSchema)) return;
    const migrator = new Migrator({
      db,
      provider: migrationProvider,
      migrationTableSchema: tableSchema,
    });
    let { error } = await migrator.migrateToLatest();
    // Racing first openers may both try to create kysely's own tables; the second retry sees them.
    for (let attempt = 0; error && attempt < 3; attempt++) {
      ({ error } = await migrator.migrateToLatest());
    }
    if (error) throw error;
  } catch (error) {
    throw new RegistryError(
      `Failed to migrate the registry at ${connection.location}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}
