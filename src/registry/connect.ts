import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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

/** An open embedded registry and the lock that keeps other processes out of it. */
interface EmbeddedHandle {
  readonly pglite: PGlite;
  readonly lock: FileLock;
}

/** Embedded registries kept open by {@link keepEmbeddedRegistriesOpen}, by resolved folder. */
let kept: Map<string, Promise<EmbeddedHandle>> | undefined;

/**
 * From now on, keep each embedded registry open once it is opened, its lock held, instead of
 * closing it at every `close()`, until the returned function is called (it closes them all).
 * For a process that runs several commands in a row (`scripts/all.mjs`), which would
 * otherwise open PGlite again at every step (0.3–1 s each); other processes wait for the
 * registry until then.
 *
 * @example
 * const closeRegistries = keepEmbeddedRegistriesOpen();
 * try { await main(['node', 'duckfeat', 'apply']); await main(['node', 'duckfeat', 'train']); }
 * finally { await closeRegistries(); }
 */
export function keepEmbeddedRegistriesOpen(): () => Promise<void> {
  const mine = new Map<string, Promise<EmbeddedHandle>>();
  kept = mine;
  return async () => {
    if (kept === mine) kept = undefined;
    const handles = await Promise.allSettled(mine.values());
    mine.clear();
    for (const handle of handles) {
      if (handle.status === 'fulfilled') await closeEmbedded(handle.value);
    }
  };
}

async function openEmbedded(dataDir: string): Promise<EmbeddedHandle> {
  await mkdir(dataDir, { recursive: true });
  // PGlite is single-process: a second CLI process waits here until the first closes.
  const lock: FileLock = await acquireFileLock(join(dataDir, 'open.lock'), {
    what: `the embedded registry ${dataDir}`,
  });
  try {
    return { pglite: await openPGlite(join(dataDir, 'pgdata')), lock };
  } catch (error) {
    await lock.release();
    throw new RegistryError(
      `Failed to open the embedded registry at ${dataDir}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

async function closeEmbedded({ pglite, lock }: EmbeddedHandle): Promise<void> {
  try {
    await pglite.close();
  } finally {
    await lock.release();
  }
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
  const dataDir = options.dataDir;
  let handle: EmbeddedHandle;
  let keptOpen = false;
  const pool = kept;
  if (pool) {
    const key = resolve(dataDir);
    let opening = pool.get(key);
    if (!opening) {
      opening = openEmbedded(dataDir);
      pool.set(key, opening);
      // A failed open is not kept: the next command tries again (and reports its own error).
      opening.catch(() => pool.get(key) === opening && pool.delete(key));
    }
    handle = await opening;
    keptOpen = true;
  } else {
    handle = await openEmbedded(dataDir);
  }
  const db = new Kysely<RegistryDatabase>({
    dialect: new PGliteDialect(handle.pglite, options.schema),
  });
  return {
    db,
    location: `embedded PGlite at ${dataDir}`,
    backend: 'pglite',
    close: async () => {
      try {
        await db.destroy();
      } finally {
        if (!keptOpen) await closeEmbedded(handle);
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
