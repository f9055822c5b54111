import { resolveFrom } from '../config/paths.js';
import type {
  EntityDefinition,
  FeatureServiceDefinition,
  FeatureViewDefinition,
  OnDemandFeatureViewDefinition,
  ResolvedFeatureView,
} from '../definitions/types.js';
import type { ProjectState } from './state.js';

/** Everything retrieval uses, taken from one read of the registry. */
export interface RetrievalDefinitions {
  readonly views: readonly ResolvedFeatureView[];
  readonly services: readonly FeatureServiceDefinition[];
  /** The entities (online serving checks the join keys' types against them). */
  readonly entities?: readonly EntityDefinition[];
  readonly onDemandViews?: readonly OnDemandFeatureViewDefinition[];
}

/** Definitions with every part present, as stores and servers keep them in memory. */
export type CompleteDefinitions = Required<RetrievalDefinitions>;

/**
 * `definitions` with every part present: what a source left out (entities, on-demand views)
 * from `source`'s list methods when it has them, else none.
 */
export async function completeDefinitions(
  definitions: RetrievalDefinitions,
  source: {
    listEntities?(): Promise<readonly EntityDefinition[]>;
    listOnDemandFeatureViews?(): Promise<readonly OnDemandFeatureViewDefinition[]>;
  } = {},
): Promise<CompleteDefinitions> {
  const { views, services, entities, onDemandViews } = definitions;
  return {
    views,
    services,
    entities: entities ?? (await source.listEntities?.()) ?? [],
    onDemandViews: onDemandViews ?? (await source.listOnDemandFeatureViews?.()) ?? [],
  };
}

/** The feature views of a state, as definitions (source paths as written). */
export function featureViewsOf(state: ProjectState): FeatureViewDefinition[] {
  const sources = state.dataSources;
  return [...state.featureViews].map(([name, v]) => {
    const s = sources.get(v.source)!;
    return {
      kind: 'featureView',
      name,
      entities: v.entities,
      features: v.features,
      source: {
        kind: 'fileSource',
        name: v.source,
        path: s.path,
        format: s.format,
        timestampField: s.timestampField,
        ...(s.createdTimestampColumn ? { createdTimestampColumn: s.createdTimestampColumn } : {}),
        ...(s.fieldMapping ? { fieldMapping: s.fieldMapping } : {}),
        ...(s.description ? { description: s.description } : {}),
      },
      ttlSeconds: v.ttlSeconds,
      ...(v.transformation ? { transformation: v.transformation } : {}),
      ...optional(v),
    };
  });
}

/** The feature services of a state. */
export function featureServicesOf(state: ProjectState): FeatureServiceDefinition[] {
  return [...state.featureServices].map(([name, s]) => ({
    kind: 'featureService',
    name,
    features: s.features,
    ...optional(s),
  }));
}

/** Every view with its join keys and an absolute source path (against `repoDir`). */
export function resolvedViewsOf(state: ProjectState, repoDir: string): ResolvedFeatureView[] {
  return featureViewsOf(state).map((v) => ({
    name: v.name,
    joinKeys: v.entities.flatMap((e) => state.entities.get(e)?.joinKeys ?? []),
    features: v.features,
    source: {
      path: resolveFrom(repoDir, v.source.path),
      format: v.source.format,
      timestampField: v.source.timestampField,
      ...(v.source.createdTimestampColumn
        ? { createdTimestampColumn: v.source.createdTimestampColumn }
        : {}),
      ...(v.source.fieldMapping ? { fieldMapping: v.source.fieldMapping } : {}),
    },
    ttlSeconds: v.ttlSeconds,
  }));
}

/** The on-demand feature views of a state. */
export function onDemandViewsOf(state: ProjectState): OnDemandFeatureViewDefinition[] {
  return [...state.onDemandFeatureViews].map(([name, v]) => ({
    kind: 'onDemandFeatureView',
    name,
    sources: v.sources,
    requestSchema: v.requestSchema,
    features: v.features,
    ...optional(v),
  }));
}

/** The entities of a state. */
export function entitiesOf(state: ProjectState): EntityDefinition[] {
  return [...state.entities].map(([name, e]) => ({
    kind: 'entity',
    name,
    joinKeys: e.joinKeys,
    valueType: e.valueType,
    ...optional(e),
  }));
}

/** What retrieval needs from a state. */
export function retrievalDefinitionsOf(state: ProjectState, repoDir: string): RetrievalDefinitions {
  return {
    views: resolvedViewsOf(state, repoDir),
    services: featureServicesOf(state),
    entities: entitiesOf(state),
    onDemandViews: onDemandViewsOf(state),
  };
}

/** Description, owner and tags, only those that are set. */
export function optional(record: {
  description: string | null;
  owner: string | null;
  tags: Record<string, string> | null;
}) {
  return {
    ...(record.description !== null ? { description: record.description } : {}),
    ...(record.owner !== null ? { owner: record.owner } : {}),
    ...(record.tags !== null ? { tags: record.tags } : {}),
  };
}
