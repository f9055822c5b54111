import { type Kysely, sql } from 'kysely';
import type { ObjectChange } from './plan.js';
import type { RegistryDatabase } from './schema.js';
import type { ProjectState, SqlText } from './state.js';

type Db = Kysely<RegistryDatabase>;

const json = (value: unknown) =>
  value === null || value === undefined ? null : JSON.stringify(value);

/**
 * Write `changes` (from `diffStates`) for one project inside the caller's transaction.
 * Adds and changes come first in dependency order, deletes last in reverse order, so no
 * foreign key is ever left dangling.
 */
export async function writeChanges(
  db: Db,
  projectId: number,
  desired: ProjectState,
  sqlTexts: Map<string, SqlText>,
  changes: readonly ObjectChange[],
): Promise<void> {
  const now = sql<string>`now()`;
  for (const change of changes) {
    const { name } = change;
    if (change.action === 'delete') {
      const table = {
        entity: 'entities',
        dataSource: 'data_sources',
        featureView: 'feature_views',
        onDemandFeatureView: 'on_demand_feature_views',
        featureService: 'feature_services',
      } as const;
      await db
        .deleteFrom(table[change.kind])
        .where('project_id', '=', projectId)
        .where('name', '=', name)
        .execute();
      continue;
    }
    switch (change.kind) {
      case 'entity': {
        const e = desired.entities.get(name)!;
        const values = {
          join_keys: e.joinKeys,
          value_type: e.valueType,
          description: e.description,
          owner: e.owner,
          tags: json(e.tags),
        };
        await db
          .insertInto('entities')
          .values({ project_id: projectId, name, ...values })
          .onConflict((oc) =>
            oc.columns(['project_id', 'name']).doUpdateSet({ ...values, updated_at: now }),
          )
          .execute();
        break;
      }
      case 'dataSource': {
        const s = desired.dataSources.get(name)!;
        const values = {
          path: s.path,
          format: s.format,
          timestamp_field: s.timestampField,
          created_timestamp_column: s.createdTimestampColumn,
          field_mapping: json(s.fieldMapping),
          description: s.description,
        };
        await db
          .insertInto('data_sources')
          .values({ project_id: projectId, name, ...values })
          .onConflict((oc) =>
            oc.columns(['project_id', 'name']).doUpdateSet({ ...values, updated_at: now }),
          )
          .execute();
        break;
      }
      case 'featureView':
        await writeView(db, projectId, name, desired, sqlTexts.get(name));
        break;
      case 'onDemandFeatureView':
        await writeOnDemandView(db, projectId, name, desired);
        break;
      case 'featureService':
        await writeService(db, projectId, name, desired);
        break;
    }
  }
}

async function writeView(
  db: Db,
  projectId: number,
  name: string,
  desired: ProjectState,
  sqlText: SqlText | undefined,
): Promise<void> {
  const v = desired.featureViews.get(name)!;
  let sqlVersionId: number | null = null;
  if (sqlText) {
    await db
      .insertInto('sql_versions')
      .values({ project_id: projectId, ...sqlText })
      .onConflict((oc) => oc.columns(['project_id', 'path', 'sha256']).doNothing())
      .execute();
    const row = await db
      .selectFrom('sql_versions')
      .select('id')
      .where('project_id', '=', projectId)
      .where('path', '=', sqlText.path)
      .where('sha256', '=', sqlText.sha256)
      .executeTakeFirstOrThrow();
    sqlVersionId = row.id;
  }
  const source = await db
    .selectFrom('data_sources')
    .select('id')
    .where('project_id', '=', projectId)
    .where('name', '=', v.source)
    .executeTakeFirstOrThrow();
  const values = {
    data_source_id: source.id,
    ttl_seconds: v.ttlSeconds,
    transformation: v.transformation,
    sql_version_id: sqlVersionId,
    description: v.description,
    owner: v.owner,
    tags: json(v.tags),
  };
  const { id } = await db
    .insertInto('feature_views')
    .values({ project_id: projectId, name, ...values })
    .onConflict((oc) =>
      oc.columns(['project_id', 'name']).doUpdateSet({ ...values, updated_at: sql`now()` }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  // Child rows are replaced whole: simpler than diffing them and equally atomic here.
  await db.deleteFrom('feature_view_entities').where('feature_view_id', '=', id).execute();
  await db.deleteFrom('features').where('feature_view_id', '=', id).execute();
  // A view without entities (one row per timestamp) has no rows here.
  if (v.entities.length > 0) {
    const entities = await db
      .selectFrom('entities')
      .select(['id', 'name'])
      .where('project_id', '=', projectId)
      .where('name', 'in', v.entities)
      .execute();
    await db
      .insertInto('feature_view_entities')
      .values(
        v.entities.map((entity, position) => ({
          feature_view_id: id,
          entity_id: entities.find((e) => e.name === entity)!.id,
          position,
        })),
      )
      .execute();
  }
  await db
    .insertInto('features')
    .values(
      v.features.map((f, position) => ({
        feature_view_id: id,
        name: f.name,
        type: f.type,
        position,
      })),
    )
    .execute();
}

async function writeService(
  db: Db,
  projectId: number,
  name: string,
  desired: ProjectState,
): Promise<void> {
  const s = desired.featureServices.get(name)!;
  const values = { description: s.description, owner: s.owner, tags: json(s.tags) };
  const { id } = await db
    .insertInto('feature_services')
    .values({ project_id: projectId, name, ...values })
    .onConflict((oc) =>
      oc.columns(['project_id', 'name']).doUpdateSet({ ...values, updated_at: sql`now()` }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.deleteFrom('feature_service_refs').where('feature_service_id', '=', id).execute();
  const views = await db
    .selectFrom('feature_views')
    .select(['id', 'name'])
    .where('project_id', '=', projectId)
    .execute();
  const onDemand = await db
    .selectFrom('on_demand_feature_views')
    .select(['id', 'name'])
    .where('project_id', '=', projectId)
    .execute();
  await db
    .insertInto('feature_service_refs')
    .values(
      s.features.map((ref, position) => {
        const [view, feature] = ref.split(':') as [string, string];
        // Validation made every reference name a feature view or an on-demand view.
        const plain = views.find((v) => v.name === view);
        return {
          feature_service_id: id,
          position,
          feature_view_id: plain ? plain.id : null,
          on_demand_view_id: plain ? null : onDemand.find((o) => o.name === view)!.id,
          feature_name: feature === '*' ? null : feature,
        };
      }),
    )
    .execute();
}

async function writeOnDemandView(
  db: Db,
  projectId: number,
  name: string,
  desired: ProjectState,
): Promise<void> {
  const v = desired.onDemandFeatureViews.get(name)!;
  const values = { description: v.description, owner: v.owner, tags: json(v.tags) };
  const { id } = await db
    .insertInto('on_demand_feature_views')
    .values({ project_id: projectId, name, ...values })
    .onConflict((oc) =>
      oc.columns(['project_id', 'name']).doUpdateSet({ ...values, updated_at: sql`now()` }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const table of [
    'on_demand_view_sources',
    'on_demand_request_columns',
    'on_demand_features',
  ] as const) {
    await db.deleteFrom(table).where('on_demand_view_id', '=', id).execute();
  }
  const views = await db
    .selectFrom('feature_views')
    .select(['id', 'name'])
    .where('project_id', '=', projectId)
    .execute();
  if (v.sources.length > 0) {
    await db
      .insertInto('on_demand_view_sources')
      .values(
        v.sources.map((source, position) => ({
          on_demand_view_id: id,
          position,
          feature_view_id: views.find((x) => x.name === source)!.id,
        })),
      )
      .execute();
  }
  if (v.requestSchema.length > 0) {
    await db
      .insertInto('on_demand_request_columns')
      .values(
        v.requestSchema.map((c, position) => ({
          on_demand_view_id: id,
          position,
          name: c.name,
          type: c.type,
        })),
      )
      .execute();
  }
  await db
    .insertInto('on_demand_features')
    .values(
      v.features.map((f, position) => ({
        on_demand_view_id: id,
        position,
        name: f.name,
        type: f.type,
        expression: f.expression,
      })),
    )
    .execute();
}
