import type {
  FeatureServiceDefinition,
  OnDemandFeatureDefinition,
  OnDemandFeatureViewDefinition,
  ResolvedFeatureView,
  ValueType,
} from '../definitions/types.js';
import { type ColumnInfo, isTimestampType } from '../duckdb/column-types.js';
import { InputError, NotFoundError } from '../errors.js';
import type { EntityRelation } from './entity-input.js';
import {
  type OnDemandSelection,
  resolveFeatureSelection,
  suggest,
  type ViewSelection,
} from './feature-refs.js';
import {
  type HistoricalFeaturesRequest,
  normalizeOptions,
  type RetrievalOptions,
} from './request.js';
import { type SourceRelation, sourceColumnNamer, sourceRelation } from './source-relation.js';
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
  /** Computed by an on-demand view's expression. */
  readonly onDemand?: boolean;
}

/** Everything planning needs; nothing in it touches a database. */
export interface PlanInput {
  readonly request: Omit<HistoricalFeaturesRequest, 'entities'>;
  readonly views: readonly ResolvedFeatureView[];
  readonly services?: readonly FeatureServiceDefinition[];
  readonly onDemandViews?: readonly OnDemandFeatureViewDefinition[];
  /** The entity rows; absent when the request gives `start` and `end` instead. */
  readonly entities?: {
    readonly relation: EntityRelation;
    readonly columns: readonly ColumnInfo[];
  };
  /** Columns of each view's source, when known: timestamp types and missing columns are checked. */
  readonly sourceColumns?: Readonly<Record<string, readonly ColumnInfo[]>>;
}

/** A feature a view plan reads: its declared type, its source column's type when known. */
export interface PlannedFeature {
  readonly name: string;
  readonly type: ValueType;
  readonly sourceType?: string;
}

/** One feature view in a plan (requested, or read for an on-demand view). */
export interface ViewPlan {
  readonly name: string;
  /** The join's alias (`v1`, `v2`, …). */
  readonly alias: string;
  readonly joinKeys: readonly string[];
  readonly relation: SourceRelation;
  /** The features read (requested, and inputs of on-demand views). */
  readonly features: readonly PlannedFeature[];
  /** The TTL in force (the override, else the view's); 0: unbounded. */
  readonly ttlSeconds: number;
  /**
   * `asof`: an ASOF join on the rows deduplicated per (keys, feature timestamp);
   * `knownByRow`: each entity row's own knowledge time (`asOfColumn`) bounds the created
   * timestamp, so the newest row is picked per entity row after a join on the keys.
   */
  readonly join: 'asof' | 'knownByRow';
  /**
   * Whether rows are deduplicated per (keys, feature timestamp): true unless the source was
   * checked to hold no duplicates ({@link withUniqueSources}). The result is the same either
   * way; only the work differs (the deduplication sorts the whole source).
   */
  readonly deduplicate: boolean;
}

/** An input of the on-demand views: a bare name and where its value comes from. */
export interface OnDemandInput {
  readonly name: string;
  readonly type: ValueType;
  /** A feature of a planned view, or an entity column (request data). */
  readonly from: { readonly view: string; readonly feature: string } | { readonly request: string };
}

/** One requested on-demand view: its requested features and their expressions. */
export interface OnDemandPlan {
  readonly name: string;
  readonly features: readonly OnDemandFeatureDefinition[];
}

/** Entity rows made from the views themselves: every (keys, feature timestamp) in a range. */
export interface RangeRelation {
  readonly kind: 'range';
  readonly start: string;
  readonly end: string;
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
    readonly relation: EntityRelation | RangeRelation;
    readonly columns: readonly ColumnInfo[];
    /** The entity column used as the event timestamp. */
    readonly timestamp: ColumnInfo;
    /** The entity column holding each row's knowledge time (`asOfColumn`). */
    readonly asOf?: ColumnInfo;
  };
  readonly views: readonly ViewPlan[];
  readonly onDemand: readonly OnDemandPlan[];
  /** The inputs the on-demand expressions read, by bare name. */
  readonly onDemandInputs: readonly OnDemandInput[];
  readonly columns: readonly OutputColumn[];
}

const fail = (reason: string) => new InputError(`Failed to compile retrieval: ${reason}`);

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
  const options = normalizeOptions({ ...input.request, entities: input.entities });
  const selection = resolveFeatureSelection(
    input.request.features,
    input.views,
    input.services,
    input.onDemandViews,
  );
  const { needed, inputs } = onDemandNeeds(selection.onDemand, input.views);
  const wanted = new Map<string, { view: ResolvedFeatureView; features: Set<string> }>();
  for (const { view, features } of selection.views) {
    wanted.set(view.name, { view, features: new Set(features.map((f) => f.name)) });
  }
  for (const [name, features] of needed) {
    const entry = wanted.get(name) ?? {
      view: input.views.find((v) => v.name === name)!,
      features: new Set<string>(),
    };
    for (const f of features) entry.features.add(f);
    wanted.set(name, entry);
  }
  for (const view of options.ttlOverride.keys()) {
    if (!wanted.has(view)) {
      throw fail(
        `the TTL override names view "${view}", which is not requested (requested: ${[...wanted.keys()].join(', ')})`,
      );
    }
  }

  const entities = planEntities(
    input,
    options,
    [...wanted.values()].map((w) => w.view),
  );
  for (const { view } of wanted.values()) {
    const missing = view.joinKeys.filter((key) => !entities.columns.some((c) => c.name === key));
    if (missing.length > 0) {
      throw fail(
        `the entity rows lack join key ${missing.map((k) => `"${k}"`).join(', ')} of feature view "${view.name}" (entity columns: ${entities.columns.map((c) => c.name).join(', ')})`,
      );
    }
  }
  for (const item of inputs) {
    if ('request' in item.from && !entities.columns.some((c) => c.name === item.name)) {
      const users = selection.onDemand
        .filter((o) => o.view.requestSchema.some((r) => r.name === item.name))
        .map((o) => `"${o.view.name}"`);
      throw fail(
        `the entity rows lack request column "${item.name}" of on-demand view ${users.join(', ')} (entity columns: ${entities.columns.map((c) => c.name).join(', ')})`,
      );
    }
  }

  const views = [...wanted.values()].map(({ view, features }, index): ViewPlan => {
    const columns = input.sourceColumns?.[view.name];
    const created = view.source.createdTimestampColumn !== undefined;
    const join = entities.asOf && created ? 'knownByRow' : 'asof';
    const names = view.features.map((f) => f.name).filter((f) => features.has(f));
    let relation = sourceRelation(view, columns, names);
    if (join === 'knownByRow') {
      // The newest row is picked per entity row: the tie-breaking features are read too.
      const all = new Set([...names, ...relation.tieBreak.map((c) => c.name)]);
      relation = sourceRelation(
        view,
        columns,
        view.features.map((f) => f.name).filter((f) => all.has(f)),
      );
    }
    const typeOf = (column: string) => columns?.find((c) => c.name === column)?.type;
    return {
      name: view.name,
      alias: `v${index + 1}`,
      joinKeys: view.joinKeys,
      relation,
      features: relation.features.map((f) => {
        const type = typeOf(f.column);
        return {
          name: f.name,
          type: view.features.find((d) => d.name === f.name)!.type,
          ...(type !== undefined ? { sourceType: type } : {}),
        };
      }),
      ttlSeconds: options.ttlOverride.get(view.name) ?? view.ttlSeconds,
      join,
      deduplicate: true,
    };
  });
  const onDemand = selection.onDemand.map((o) => ({ name: o.view.name, features: o.features }));
  return {
    name: input.request.name ?? selection.service ?? 'historical_features',
    options,
    entities,
    views,
    onDemand,
    onDemandInputs: inputs,
    columns: outputColumns(entities.columns, selection.views, onDemand, options),
  };
}

/** The plan with the views named in `unique` read without deduplication. */
export function withUniqueSources(plan: RetrievalPlan, unique: ReadonlySet<string>): RetrievalPlan {
  return {
    ...plan,
    views: plan.views.map((v) => (unique.has(v.name) ? { ...v, deduplicate: false } : v)),
  };
}

/** The entity rows: the given ones, checked; or, for `start`/`end`, the views' own keys. */
function planEntities(
  input: PlanInput,
  options: RetrievalOptions,
  views: readonly ResolvedFeatureView[],
): RetrievalPlan['entities'] {
  if (input.entities) {
    const columns = input.entities.columns;
    const timestamp = entityTimestampColumn(columns);
    let asOf: ColumnInfo | undefined;
    if (options.asOfColumn !== undefined) {
      asOf = columns.find((c) => c.name === options.asOfColumn);
      if (!asOf) {
        throw fail(
          `the entity rows have no asOf column "${options.asOfColumn}" (entity columns: ${columns.map((c) => c.name).join(', ')})`,
        );
      }
      if (!isTimestampType(asOf.type)) {
        throw fail(`the asOf column "${asOf.name}" has type ${asOf.type}, not a timestamp`);
      }
    }
    return { relation: input.entities.relation, columns, timestamp, ...(asOf ? { asOf } : {}) };
  }
  const keyed = views.filter((v) => v.joinKeys.length > 0);
  const keys = keyed[0]?.joinKeys ?? [];
  const differ = keyed.find(
    (v) => v.joinKeys.length !== keys.length || v.joinKeys.some((k) => !keys.includes(k)),
  );
  if (differ) {
    throw fail(
      `without entity rows (start/end) the views must share their join keys: "${keyed[0]!.name}" has ${keys.join(', ')}, "${differ.name}" has ${differ.joinKeys.join(', ')}; request them separately`,
    );
  }
  const first = keyed[0];
  const keyType = (key: string) => {
    if (!first) return 'VARCHAR';
    const column = sourceColumnNamer(first)(key);
    return input.sourceColumns?.[first.name]?.find((c) => c.name === column)?.type ?? 'VARCHAR';
  };
  const timestamp = { name: 'event_timestamp', type: 'TIMESTAMP' };
  const range = options.range!;
  return {
    relation: { kind: 'range', start: range.start, end: range.end },
    columns: [...keys.map((k) => ({ name: k, type: keyType(k) })), timestamp],
    timestamp,
  };
}

/**
 * What the requested on-demand views read: per source view the features to fetch (all of
 * its features: expressions name them bare), and every input by bare name. Two inputs with
 * one name but different origins cannot share the expressions' scope: that is an error.
 */
function onDemandNeeds(
  selected: readonly OnDemandSelection[],
  views: readonly ResolvedFeatureView[],
): { needed: Map<string, string[]>; inputs: OnDemandInput[] } {
  const needed = new Map<string, string[]>();
  const inputs = new Map<string, OnDemandInput & { owner: string }>();
  const add = (item: OnDemandInput, owner: string) => {
    const earlier = inputs.get(item.name);
    if (earlier && JSON.stringify(earlier.from) !== JSON.stringify(item.from)) {
      throw fail(
        `input "${item.name}" of on-demand view "${owner}" comes from ${origin(item)}, but in "${earlier.owner}" from ${origin(earlier)}; request them separately`,
      );
    }
    if (!earlier) inputs.set(item.name, { ...item, owner });
  };
  for (const { view: odv } of selected) {
    for (const name of odv.sources) {
      const view = views.find((v) => v.name === name);
      if (!view) {
        throw new NotFoundError(
          `Failed to compile retrieval: on-demand view "${odv.name}" reads feature view "${name}", which does not exist${suggest(
            name,
            views.map((v) => v.name),
            'feature views',
          )}`,
        );
      }
      needed.set(
        name,
        view.features.map((f) => f.name),
      );
      for (const f of view.features) {
        add({ name: f.name, type: f.type, from: { view: name, feature: f.name } }, odv.name);
      }
    }
    for (const column of odv.requestSchema) {
      add({ name: column.name, type: column.type, from: { request: column.name } }, odv.name);
    }
  }
  return { needed, inputs: [...inputs.values()].map(({ owner: _, ...item }) => item) };
}

function origin(input: OnDemandInput): string {
  return 'request' in input.from ? 'the entity rows' : `feature view "${input.from.view}"`;
}

function outputColumns(
  entity: readonly ColumnInfo[],
  views: readonly ViewSelection[],
  onDemand: readonly OnDemandPlan[],
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
  for (const { name, features } of onDemand) {
    for (const f of features) {
      columns.push({
        name: options.fullFeatureNames ? `${name}__${f.name}` : f.name,
        role: 'feature',
        type: f.type,
        view: name,
        feature: f.name,
        onDemand: true,
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
