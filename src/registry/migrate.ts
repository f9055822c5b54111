import { type Kysely, Migrator, sql } from 'kysely';
import { errorMessage, RegistryError } from '../errors.js';
import type { RegistryConnection } from './connect.js';
import { migrationProvider, migrations } from './migrations/index.js';
import type { RegistryDatabase } from './schema.js';

/**
 * Bring the registry's tables up to date in `schema` (created if missing; the session's
 * current schema when omitted). Migrations run under kysely's lock, so concurrent openers
 * are safe; when every migration is recorded already, one read answers.
 */
export async function migrateRegistry(
  connection: RegistryConnection,
  schema?: string,
): Promise<void> {
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

/**
 * Whether every migration is already recorded: the common case, answered by one read,
 * without the migrator's lock-table writes (which cost PGlite a flush at close).
 */
async function upToDate(db: Kysely<RegistryDatabase>, schema: string): Promise<boolean> {
  try {
    const { rows } = await sql<{
      name: string;
    }>`select name from ${sql.id(schema, 'kysely_migration')}`.execute(db);
    const done = new Set(rows.map((r) => r.name));
    return Object.keys(migrations).every((name) => done.has(name));
  } catch {
    return false;
  }
}
