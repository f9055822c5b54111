// Frozen: never edit a migration that has shipped; add a new date-prefixed file instead.
// Imports nothing from the application, so it reads the same in every future version.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('on_demand_feature_views')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('owner', 'text')
    .addColumn('tags', 'jsonb')
    .addColumn('updated_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('on_demand_feature_views_project_name', ['project_id', 'name'])
    .execute();

  // The feature views an on-demand view reads, in order.
  await db.schema
    .createTable('on_demand_view_sources')
    .addColumn('on_demand_view_id', 'integer', (c) =>
      c.notNull().references('on_demand_feature_views.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('feature_view_id', 'integer', (c) => c.notNull().references('feature_views.id'))
    .addPrimaryKeyConstraint('on_demand_view_sources_pk', ['on_demand_view_id', 'position'])
    .execute();

  // The entity-row (request) columns it reads, with their types, in order.
  await db.schema
    .createTable('on_demand_request_columns')
    .addColumn('on_demand_view_id', 'integer', (c) =>
      c.notNull().references('on_demand_feature_views.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('on_demand_request_columns_pk', ['on_demand_view_id', 'position'])
    .execute();

  // Its features: name, type and the SQL expression, in order.
  await db.schema
    .createTable('on_demand_features')
    .addColumn('on_demand_view_id', 'integer', (c) =>
      c.notNull().references('on_demand_feature_views.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('expression', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('on_demand_features_pk', ['on_demand_view_id', 'position'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'on_demand_features',
    'on_demand_request_columns',
    'on_demand_view_sources',
    'on_demand_feature_views',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
