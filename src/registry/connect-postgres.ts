import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { errorMessage, RegistryError } from '../errors.js';
import { maskUrl, scrub, urlPassword } from '../util/mask-url.js';
import type { RegistryConnection } from './connect.js';
import type { RegistryDatabase } from './schema.js';
import { checkSchemaName } from './schema-name.js';

/** `timestamp` and `timestamptz`: read as the text the server sends, not as `Date`s. */
const TIMESTAMP_OIDS = [1114, 1184];

/**
 * Take duckfeat's own `?schema=name` URL parameter out of a URL before `pg` sees it; an
 * explicit `schema` wins over the URL's.
 */
export function splitSchema(url: string, schema?: string): { url: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, ...(schema ? { schema } : {}) };
  }
  const fromUrl = parsed.searchParams.get('schema');
  if (fromUrl === null) return { url, ...(schema ? { schema } : {}) };
  checkSchemaName(fromUrl, ` in ${maskUrl(url)}`);
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema: schema ?? fromUrl };
}

/** Open a PostgreSQL registry (sessions in UTC, `search_path` on `schema`) and check it answers. */
export async function connectPostgres(url: string, schema?: string): Promise<RegistryConnection> {
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
