// Frozen: never edit a migration that has shipped; add a new date-prefixed file instead.
// Imports nothing from the application, so it reads the same in every future version.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('projects')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('entities')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('join_keys', sql`text[]`, (c) => c.notNull())
    .addColumn('value_type', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('owner', 'text')
    .addColumn('tags', 'jsonb')
    .addColumn('updated_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('entities_project_name', ['project_id', 'name'])
    .execute();

  await db.schema
    .createTable('data_sources')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('timestamp_field', 'text', (c) => c.notNull())
    .addColumn('created_timestamp_column', 'text')
    .addColumn('field_mapping', 'jsonb')
    .addColumn('description', 'text')
    .addColumn('updated_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('data_sources_project_name', ['project_id', 'name'])
    .execute();

  await db.schema
    .createTable('sql_versions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('sql_versions_project_path_sha', ['project_id', 'path', 'sha256'])
    .execute();

  await db.schema
    .createTable('feature_views')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data_source_id', 'integer', (c) => c.notNull().references('data_sources.id'))
    .addColumn('ttl_seconds', 'bigint', (c) => c.notNull())
    .addColumn('transformation', 'text')
    .addColumn('sql_version_id', 'integer', (c) => c.references('sql_versions.id'))
    .addColumn('description', 'text')
    .addColumn('owner', 'text')
    .addColumn('tags', 'jsonb')
    .addColumn('updated_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('feature_views_project_name', ['project_id', 'name'])
    .execute();

  await db.schema
    .createTable('feature_view_entities')
    .addColumn('feature_view_id', 'integer', (c) =>
      c.notNull().references('feature_views.id').onDelete('cascade'),
    )
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('feature_view_entities_pk', ['feature_view_id', 'position'])
    .execute();

  await db.schema
    .createTable('features')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('feature_view_id', 'integer', (c) =>
      c.notNull().references('feature_views.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addUniqueConstraint('features_view_name', ['feature_view_id', 'name'])
    .execute();

  await db.schema
    .createTable('feature_services')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('owner', 'text')
    .addColumn('tags', 'jsonb')
    .addColumn('updated_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('feature_services_project_name', ['project_id', 'name'])
    .execute();

  await db.schema
    .createTable('feature_service_refs')
    .addColumn('feature_service_id', 'integer', (c) =>
      c.notNull().references('feature_services.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('feature_view_id', 'integer', (c) => c.notNull().references('feature_views.id'))
    // NULL: the whole view (`view:*`).
    .addColumn('feature_name', 'text')
    .addPrimaryKeyConstraint('feature_service_refs_pk', ['feature_service_id', 'position'])
    .execute();

  await db.schema
    .createTable('materializations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    // By name, not id: prep may materialize a view before it is applied.
    .addColumn('view_name', 'text', (c) => c.notNull())
    .addColumn('cutoff', 'timestamp', (c) => c.notNull())
    .addColumn('rows', 'bigint', (c) => c.notNull())
    .addColumn('sql_sha256', 'text', (c) => c.notNull())
    .addColumn('input_fingerprint', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamp', (c) => c.notNull())
    .addColumn('finished_at', 'timestamp', (c) => c.notNull())
    .addColumn('duration_ms', 'double precision', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamp', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('materializations_project_view_cutoff')
    .on('materializations')
    .columns(['project_id', 'view_name', 'cutoff'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'materializations',
    'feature_service_refs',
    'feature_services',
    'features',
    'feature_view_entities',
    'feature_views',
    'sql_versions',
    'data_sources',
    'entities',
    'projects',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
