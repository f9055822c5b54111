import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import { resolveFrom } from '../config/paths.js';
import type {
  FeatureDefinition,
  OnDemandFeatureDefinition,
  Tags,
  ValueType,
} from '../definitions/types.js';
import type { Repository } from '../repo/repository.js';
import type { RegistryDatabase } from './schema.js';

/**
 * The comparable content of a project: what the repository declares, or what the registry
 * holds. Same shape both ways, so the plan is a plain field-by-field comparison.
 */
export interface ProjectState {
  entities: Map<string, EntityRecord>;
  dataSources: Map<string, DataSourceRecord>;
  featureViews: Map<string, FeatureViewRecord>;
  featureServices: Map<string, FeatureServiceRecord>;
  onDemandFeatureViews: Map<string, OnDemandFeatureViewRecord>;
}

export interface OnDemandFeatureViewRecord {
  sources: string[];
  requestSchema: FeatureDefinition[];
  features: OnDemandFeatureDefinition[];
  description: string | null;
  owner: string | null;
  tags: Tags | null;
}

export interface EntityRecord {
  joinKeys: string[];
  valueType: ValueType;
  description: string | null;
  owner: string | null;
  tags: Tags | null;
}

export interface DataSourceRecord {
  path: string;
  format: 'parquet' | 'csv';
  timestampField: string;
  createdTimestampColumn: string | null;
  fieldMapping: Record<string, string> | null;
  description: string | null;
}

export interface FeatureViewRecord {
  entities: string[];
  source: string;
  ttlSeconds: number;
  transformation: string | null;
  /** sha256 of the transformation file's text (null: no file). */
  sqlSha256: string | null;
  description: string | null;
  owner: string | null;
  tags: Tags | null;
  features: FeatureDefinition[];
}

export interface FeatureServiceRecord {
  features: string[];
  description: string | null;
  owner: string | null;
  tags: Tags | null;
}

/** A transformation's text as it is on disk, kept for the `sql_versions` table. */
export interface SqlText {
  path: string;
  sha256: string;
  text: string;
}

/** The state the repository declares, and the SQL texts its views point at. */
export function desiredState(repo: Repository): { state: ProjectState; sql: Map<string, SqlText> } {
  const sqlTexts = new Map<string, SqlText>();
  const state: ProjectState = {
    entities: new Map(),
    dataSources: new Map(),
    featureViews: new Map(),
    featureServices: new Map(),
    onDemandFeatureViews: new Map(),
  };
  for (const e of repo.entities) {
    state.entities.set(e.name, {
      joinKeys: [...e.joinKeys],
      valueType: e.valueType,
      description: e.description ?? null,
      owner: e.owner ?? null,
      tags: e.tags ?? null,
    });
  }
  for (const s of repo.sources) {
    state.dataSources.set(s.name, {
      path: s.path,
      format: s.format,
      timestampField: s.timestampField,
      createdTimestampColumn: s.createdTimestampColumn ?? null,
      fieldMapping: s.fieldMapping ? { ...s.fieldMapping } : null,
      description: s.description ?? null,
    });
  }
  for (const v of repo.featureViews) {
    let sha: string | null = null;
    if (v.transformation) {
      const file = resolveFrom(repo.root, v.transformation);
      if (existsSync(file)) {
        const text = readFileSync(file, 'utf8');
        sha = createHash('sha256').update(text).digest('hex');
        sqlTexts.set(v.name, { path: v.transformation, sha256: sha, text });
      }
    }
    state.featureViews.set(v.name, {
      entities: [...v.entities],
      source: v.source.name,
      ttlSeconds: v.ttlSeconds,
      transformation: v.transformation ?? null,
      sqlSha256: sha,
      description: v.description ?? null,
      owner: v.owner ?? null,
      tags: v.tags ?? null,
      features: v.features.map((f) => ({ name: f.name, type: f.type })),
    });
  }
  for (const s of repo.featureServices) {
    state.featureServices.set(s.name, {
      features: [...s.features],
      description: s.description ?? null,
      owner: s.owner ?? null,
      tags: s.tags ?? null,
    });
  }
  for (const v of repo.onDemandFeatureViews ?? []) {
    state.onDemandFeatureViews.set(v.name, {
      sources: [...v.sources],
      requestSchema: v.requestSchema.map((f) => ({ name: f.name, type: f.type })),
      features: v.features.map((f) => ({ name: f.name, type: f.type, expression: f.expression })),
      description: v.description ?? null,
      owner: v.owner ?? null,
      tags: v.tags ?? null,
    });
  }
  return { state, sql: sqlTexts };
}

/** The project's id, or undefined when it was never applied. */
export async function findProjectId(
  db: Kysely<RegistryDatabase>,
  project: string,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('projects')
    .select('id')
    .where('name', '=', project)
    .executeTakeFirst();
  return row?.id;
}

/** What the registry holds for a project (empty when it was never applied). */
export async function readState(
  db: Kysely<RegistryDatabase>,
  projectId: number | undefined,
): Promise<ProjectState> {
  const state: ProjectState = {
    entities: new Map(),
    dataSources: new Map(),
    featureViews: new Map(),
    featureServices: new Map(),
    onDemandFeatureViews: new Map(),
  };
  if (projectId === undefined) return state;
  const entities = await db
    .selectFrom('entities')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy(byName('name'))
    .execute();
  for (const e of entities) {
    state.entities.set(e.name, {
      joinKeys: e.join_keys,
      valueType: e.value_type as ValueType,
      description: e.description,
      owner: e.owner,
      tags: e.tags,
    });
  }
  const sources = await db
    .selectFrom('data_sources')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy(byName('name'))
    .execute();
  for (const s of sources) {
    state.dataSources.set(s.name, {
      path: s.path,
      format: s.format as 'parquet' | 'csv',
      timestampField: s.timestamp_field,
      createdTimestampColumn: s.created_timestamp_column,
      fieldMapping: s.field_mapping,
      description: s.description,
    });
  }
  const views = await db
    .selectFrom('feature_views as v')
    .innerJoin('data_sources as s', 's.id', 'v.data_source_id')
    .leftJoin('sql_versions as q', 'q.id', 'v.sql_version_id')
    .select([
      'v.id',
      'v.name',
      'v.ttl_seconds',
      'v.transformation',
      'v.description',
      'v.owner',
      'v.tags',
      's.name as source',
      'q.sha256',
    ])
    .where('v.project_id', '=', projectId)
    .orderBy(byName('v.name'))
    .execute();
  const viewEntities = await db
    .selectFrom('feature_view_entities as fe')
    .innerJoin('entities as e', 'e.id', 'fe.entity_id')
    .select(['fe.feature_view_id', 'e.name'])
    .where('e.project_id', '=', projectId)
    .orderBy('fe.feature_view_id')
    .orderBy('fe.position')
    .execute();
  const features = await db
    .selectFrom('features as f')
    .innerJoin('feature_views as v', 'v.id', 'f.feature_view_id')
    .select(['f.feature_view_id', 'f.name', 'f.type'])
    .where('v.project_id', '=', projectId)
    .orderBy('f.feature_view_id')
    .orderBy('f.position')
    .execute();
  const viewNames = new Map<number, string>();
  for (const v of views) {
    viewNames.set(v.id, v.name);
    state.featureViews.set(v.name, {
      entities: viewEntities.filter((x) => x.feature_view_id === v.id).map((x) => x.name),
      source: v.source,
      ttlSeconds: Number(v.ttl_seconds),
      transformation: v.transformation,
      sqlSha256: v.sha256 ?? null,
      description: v.description,
      owner: v.owner,
      tags: v.tags,
      features: features
        .filter((f) => f.feature_view_id === v.id)
        .map((f) => ({ name: f.name, type: f.type as ValueType })),
    });
  }
  const services = await db
    .selectFrom('feature_services')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy(byName('name'))
    .execute();
  const refs = await db
    .selectFrom('feature_service_refs as r')
    .innerJoin('feature_services as s', 's.id', 'r.feature_service_id')
    .leftJoin('feature_views as fv', 'fv.id', 'r.feature_view_id')
    .leftJoin('on_demand_feature_views as od', 'od.id', 'r.on_demand_view_id')
    .select(['r.feature_service_id', 'fv.name as view', 'od.name as on_demand', 'r.feature_name'])
    .where('s.project_id', '=', projectId)
    .orderBy('r.feature_service_id')
    .orderBy('r.position')
    .execute();
  for (const s of services) {
    state.featureServices.set(s.name, {
      features: refs
        .filter((r) => r.feature_service_id === s.id)
        .map((r) => `${r.view ?? r.on_demand}:${r.feature_name ?? '*'}`),
      description: s.description,
      owner: s.owner,
      tags: s.tags,
    });
  }
  const onDemand = await db
    .selectFrom('on_demand_feature_views')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy(byName('name'))
    .execute();
  if (onDemand.length > 0) {
    const ids = onDemand.map((o) => o.id);
    const sources = await db
      .selectFrom('on_demand_view_sources')
      .selectAll()
      .where('on_demand_view_id', 'in', ids)
      .orderBy('on_demand_view_id')
      .orderBy('position')
      .execute();
    const columns = await db
      .selectFrom('on_demand_request_columns')
      .selectAll()
      .where('on_demand_view_id', 'in', ids)
      .orderBy('on_demand_view_id')
      .orderBy('position')
      .execute();
    const odFeatures = await db
      .selectFrom('on_demand_features')
      .selectAll()
      .where('on_demand_view_id', 'in', ids)
      .orderBy('on_demand_view_id')
      .orderBy('position')
      .execute();
    for (const o of onDemand) {
      state.onDemandFeatureViews.set(o.name, {
        sources: sources
          .filter((x) => x.on_demand_view_id === o.id)
          .map((x) => viewNames.get(x.feature_view_id)!),
        requestSchema: columns
          .filter((x) => x.on_demand_view_id === o.id)
          .map((x) => ({ name: x.name, type: x.type as ValueType })),
        features: odFeatures
          .filter((x) => x.on_demand_view_id === o.id)
          .map((x) => ({ name: x.name, type: x.type as ValueType, expression: x.expression })),
        description: o.description,
        owner: o.owner,
        tags: o.tags,
      });
    }
  }
  return state;
}

/** Order by a name column in byte order (the database's collation may differ from JS sorting). */
function byName(column: string) {
  return sql`${sql.ref(column)} collate "C"`;
}
