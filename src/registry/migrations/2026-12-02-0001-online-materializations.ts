// Frozen: never edit a migration that has shipped; add a new date-prefixed file instead.
// Imports nothing from the application, so it reads the same in every future version.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('online_materializations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('view_name', 'text', (c) => c.notNull())
    // Which online store was written (its description, no password): incremental runs
    // continue from the last run into the same store.
    .addColumn('store', 'text', (c) => c.notNull())
    // The feature timestamps written: (start_ts, end_ts]; NULL start: everything <= end_ts.
    .addColumn('start_ts', 'timestamp')
    .addColumn('end_ts', 'timestamp', (c) => c.notNull())
    .addColumn('rows', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'timestamp', (c) => c.notNull())
    .addColumn('finished_at', 'timestamp', (c) => c.notNull())
    .addColumn('duration_ms', 'double precision', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamp', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('online_materializations_project_view_store')
    .on('online_materializations')
    .columns(['project_id', 'view_name', 'store', 'end_ts'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('online_materializations').execute();
}
