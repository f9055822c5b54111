import type { FeatureServiceDefinition, ResolvedFeatureView } from '../definitions/types.js';
import type { ColumnInfo } from '../duckdb/column-types.js';
import { InputError } from '../errors.js';
import type { EntityRelation } from './entity-input.js';
import { resolveFeatureSelection, type ViewSelection } from './feature-refs.js';
import {
  type HistoricalFeaturesRequest,
  normalizeOptions,
  type RetrievalOptions,
} from './request.js';
import { type SourceRelation, sourceRelation } from './source-relation.js';
import { entityTimestampColumn } from './timestamps.js';

/** An output column of a retrieval and where it comes from. */
export interface OutputColumn {
  readonly name: string;
  readonly role: 'rowId' | 'entity' | 'feature' | 'freshness';
  /** DuckDB type for entity columns; the feature's value type for features. */
  readonly type: string;
  readonly view?: string;
  /** The feature's name in its view (features only). */
  readonly feature?: string;
}

/** Everything planning needs; nothing in it touches a database. */
export interface PlanInput {
  readonly request: Omit<HistoricalFeaturesRequest, 'entities'>;
  readonly views: readonly ResolvedFeatureView[];
  readonly services?: readonly FeatureServiceDefinition[];
  readonly entities: { readonly relation: EntityRelation; readonly columns: readonly ColumnInfo[] };
  /** Columns of each view's source, when known: timestamp types and missing columns are checked. */
  readonly sourceColumns?: Readonly<Record<string, readonly ColumnInfo[]>>;
}

/** One requested feature view in a plan. */
export interface ViewPlan {
  readonly name: string;
  /** The join's alias (`v1`, `v2`, …). */
  readonly alias: string;
  readonly joinKeys: readonly string[];
  readonly relation: SourceRelation;
  /** The TTL in force (the override, else the view's); 0: unbounded. */
  readonly ttlSeconds: number;
  /**
   * Whether rows are deduplicated per (keys, feature timestamp): true unless the source was
   * checked to hold no duplicates ({@link withUniqueSources}). The result is the same either
   * way; only the work differs (the deduplication sorts the whole source).
   */
  readonly deduplicate: boolean;
}

/**
 * A checked retrieval: what each requested view reads and how, the entity rows and the
 * output columns. Built once per request from the definitions read once; rendering it
 * (`renderRetrieval`) is a pure function that cannot fail.
 */
export interface RetrievalPlan {
  /** The file name (without `.sql`) under `target/compiled/`. */
  readonly name: string;
  readonly options: RetrievalOptions;
  readonly entities: {
    readonly relation: EntityRelation;
    readonly columns: readonly ColumnInfo[];
    /** The entity column used as the event timestamp. */
    readonly timestamp: ColumnInfo;
  };
  readonly views: readonly ViewPlan[];
  readonly columns: readonly OutputColumn[];
}

/**
 * Check a retrieval request against the definitions and the entity and source columns, and
 * decide what each view reads. Throws an `InputError` for anything wrong (unknown names,
 * missing columns, wrong types, colliding output names); reads and writes nothing.
 *
 * @example
 * const plan = planRetrieval({
 *   request: { features: ['customer_rfm:*'] },
 *   views,
 *   entities: { relation: { kind: 'parquet', path: '/abs/labels.parquet' }, columns },
 * });
 * const { sql, parameters } = renderRetrieval(plan);
 */
export function planRetrieval(input: PlanInput): RetrievalPlan {
  const options = normalizeOptions(input.request);
  const selection = resolveFeatureSelection(input.request.features, input.views, input.services);
  for (const view of options.ttlOverride.keys()) {
    if (!selection.views.some((s) => s.view.name === view)) {
      throw new InputError(
        `Failed to compile retrieval: the TTL override names view "${view}", which is not requested (requested: ${selection.views.map((s) => s.view.name).join(', ')})`,
      );
    }
  }
  const entityColumns = input.entities.columns;
  const timestamp = entityTimestampColumn(entityColumns);
  for (const { view } of selection.views) {
    const missing = view.joinKeys.filter((key) => !entityColumns.some((c) => c.name === key));
    if (missing.length > 0) {
      throw new InputError(
        `Failed to compile retrieval: the entity rows lack join key ${missing.map((k) => `"${k}"`).join(', ')} of feature view "${view.name}" (entity columns: ${entityColumns.map((c) => c.name).join(', ')})`,
      );
    }
  }
  const columns = outputColumns(entityColumns, selection.views, options);
  const views = selection.views.map(
    (selected, index): ViewPlan => ({
      name: selected.view.name,
      alias: `v${index + 1}`,
      joinKeys: selected.view.joinKeys,
      relation: sourceRelation(
        selected.view,
        input.sourceColumns?.[selected.view.name],
        selected.features.map((f) => f.name),
      ),
      ttlSeconds: options.ttlOverride.get(selected.view.name) ?? selected.view.ttlSeconds,
      deduplicate: true,
    }),
  );
  return {
    name: input.request.name ?? selection.service ?? 'historical_features',
    options,
    entities: { relation: input.entities.relation, columns: entityColumns, timestamp },
    views,
    columns,
  };
}

/** The plan with the views named in `unique` read without deduplication. */
export function withUniqueSources(plan: RetrievalPlan, unique: ReadonlySet<string>): RetrievalPlan {
  return {
    ...plan,
    views: plan.views.map((v) => (unique.has(v.name) ? { ...v, deduplicate: false } : v)),
  };
}

function outputColumns(
  entity: readonly ColumnInfo[],
  views: readonly ViewSelection[],
  options: RetrievalOptions,
): OutputColumn[] {
  const columns: OutputColumn[] = [];
  if (options.rowIdColumn)
    columns.push({ name: options.rowIdColumn, role: 'rowId', type: 'BIGINT' });
  for (const c of entity) columns.push({ name: c.name, role: 'entity', type: c.type });
  for (const { view, features } of views) {
    for (const f of features) {
      columns.push({
        name: options.fullFeatureNames ? `${view.name}__${f.name}` : f.name,
        role: 'feature',
        type: f.type,
        view: view.name,
        feature: f.name,
      });
    }
    if (options.freshness) {
      columns.push({
        name: `${view.name}__event_timestamp`,
        role: 'freshness',
        type: 'timestamp',
        view: view.name,
      });
    }
  }
  const seen = new Map<string, OutputColumn>();
  for (const column of columns) {
    const earlier = seen.get(column.name);
    if (earlier) throw collision(column, earlier, options);
    seen.set(column.name, column);
  }
  return columns;
}

function collision(
  column: OutputColumn,
  earlier: OutputColumn,
  options: RetrievalOptions,
): InputError {
  const describe = (c: OutputColumn) =>
    c.role === 'entity'
      ? 'an entity column'
      : c.role === 'rowId'
        ? 'the row id column'
        : `view "${c.view}"`;
  const advice =
    !options.fullFeatureNames && column.role === 'feature'
      ? 'use full feature names (fullFeatureNames: true, --full-feature-names) to name them view__feature'
      : 'rename the entity column or choose another name';
  return new InputError(
    `Failed to compile retrieval: output column "${column.name}" would come from both ${describe(earlier)} and ${describe(column)}; ${advice}`,
  );
}
