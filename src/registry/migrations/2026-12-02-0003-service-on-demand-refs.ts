// Frozen: never edit a migration that has shipped; add a new date-prefixed file instead.
// Imports nothing from the application, so it reads the same in every future version.
import { type Kysely, sql } from 'kysely';

/**
 * A feature service's reference may name an on-demand view: each reference points at
 * exactly one of a feature view or an on-demand view (the check constraint), each by its
 * own foreign key. Existing references keep their feature view.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('feature_service_refs')
    .alterColumn('feature_view_id', (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable('feature_service_refs')
    .addColumn('on_demand_view_id', 'integer', (c) => c.references('on_demand_feature_views.id'))
    .execute();
  await db.schema
    .alterTable('feature_service_refs')
    .addCheckConstraint(
      'feature_service_refs_one_view',
      sql`num_nonnulls(feature_view_id, on_demand_view_id) = 1`,
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from feature_service_refs where feature_view_id is null`.execute(db);
  await db.schema
    .alterTable('feature_service_refs')
    .dropConstraint('feature_service_refs_one_view')
    .execute();
  await db.schema.alterTable('feature_service_refs').dropColumn('on_demand_view_id').execute();
  await db.schema
    .alterTable('feature_service_refs')
    .alterColumn('feature_view_id', (c) => c.setNotNull())
    .execute();
}
