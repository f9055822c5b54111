import { basename, extname } from 'node:path';
import { DefinitionError, errorMessage } from '../errors.js';
import { parseDuration } from './duration.js';
import { checkName, checkValueType } from './names.js';
import type {
  EntityDefinition,
  FeatureServiceDefinition,
  FeatureViewDefinition,
  FileSourceDefinition,
  LabelViewDefinition,
  OnDemandFeatureViewDefinition,
  RepoConfig,
  RequestSourceDefinition,
  Tags,
  ValueType,
} from './types.js';

interface Described {
  description?: string;
  tags?: Tags;
  owner?: string;
}

/** Copy the optional descriptive fields that are set (so objects compare cleanly). */
function described(input: Described): Described {
  const out: Described = {};
  if (input.description !== undefined) out.description = input.description;
  if (input.tags !== undefined) out.tags = { ...input.tags };
  if (input.owner !== undefined) out.owner = input.owner;
  return out;
}

export interface EntityInput extends Described {
  name: string;
  /** One key column or several (a composite key), in order. */
  joinKeys: string | readonly string[];
  valueType: ValueType;
}

/**
 * Declare an entity: the thing features describe, identified by its join keys.
 *
 * @example entity({ name: 'customer', joinKeys: ['customer_id'], valueType: 'int64' })
 */
export function entity(input: EntityInput): EntityDefinition {
  const name = checkName(input.name, 'entity');
  const keys = typeof input.joinKeys === 'string' ? [input.joinKeys] : [...(input.joinKeys ?? [])];
  if (keys.length === 0) {
    throw new DefinitionError(`Failed to define entity "${name}": it needs at least one join key`);
  }
  for (const key of keys) checkName(key, `join key of entity "${name}"`);
  return {
    kind: 'entity',
    name,
    joinKeys: keys,
    valueType: checkValueType(input.valueType, `entity "${name}"`),
    ...described(input),
  };
}

export interface FileSourceInput {
  /** Defaults to the file's base name without extension. */
  name?: string;
  /** Parquet or CSV file (or glob); relative paths resolve against the repository folder. */
  path: string;
  /** Defaults from the extension (`.csv` is CSV, anything else parquet). */
  format?: 'parquet' | 'csv';
  timestampField: string;
  createdTimestampColumn?: string;
  /** Source column → feature or key name. */
  fieldMapping?: Record<string, string>;
  description?: string;
}

/**
 * Declare a file the feature values are read from.
 *
 * @example fileSource({ path: 'data/customer_rfm_features.parquet', timestampField: 'event_timestamp' })
 */
export function fileSource(input: FileSourceInput): FileSourceDefinition {
  if (typeof input.path !== 'string' || input.path === '') {
    throw new DefinitionError('Failed to define file source: `path` is required');
  }
  const ext = extname(input.path).toLowerCase();
  const name = checkName(input.name ?? basename(input.path, extname(input.path)), 'file source');
  const source: {
    -readonly [K in keyof FileSourceDefinition]: FileSourceDefinition[K];
  } = {
    kind: 'fileSource',
    name,
    path: input.path,
    format: input.format ?? (ext === '.csv' ? 'csv' : 'parquet'),
    timestampField: checkName(input.timestampField, `timestamp field of source "${name}"`),
  };
  if (input.createdTimestampColumn !== undefined) {
    source.createdTimestampColumn = checkName(
      input.createdTimestampColumn,
      `created timestamp column of source "${name}"`,
    );
  }
  if (input.fieldMapping !== undefined) source.fieldMapping = { ...input.fieldMapping };
  if (input.description !== undefined) source.description = input.description;
  return source;
}

export interface FeatureViewInput extends Described {
  name: string;
  /** Entity objects or entity names. */
  entities: readonly (EntityDefinition | string)[];
  /** Feature name → type, in the order the features should be listed. */
  schema: Record<string, ValueType>;
  source: FileSourceDefinition;
  /** Seconds or a duration (`'0s'`, `'90d'`, `'1d12h'`: see `parseDuration`); 0 (the default) is unbounded. */
  ttl?: number | string;
  /** The SQL file (relative to the project root) that computes the view per cutoff. */
  transformation?: string;
}

/**
 * Declare a feature view: typed features of some entities, read from a source.
 *
 * @example
 * featureView({
 *   name: 'customer_rfm_features', entities: [customer], source: rfmSource, ttl: 0,
 *   schema: { recency_days: 'int64', monetary: 'float64' },
 *   transformation: 'sql/features/customer_rfm_features.sql',
 * })
 */
export function featureView(input: FeatureViewInput): FeatureViewDefinition {
  const name = checkName(input.name, 'feature view');
  const entities = (input.entities ?? []).map((e) => (typeof e === 'string' ? e : e?.name));
  const features = Object.entries(input.schema ?? {}).map(([feature, type]) => ({
    name: checkName(feature, `feature of view "${name}"`),
    type: checkValueType(type, `feature "${feature}" of view "${name}"`),
  }));
  const view: { -readonly [K in keyof FeatureViewDefinition]: FeatureViewDefinition[K] } = {
    kind: 'featureView',
    name,
    entities,
    features,
    source: input.source,
    ttlSeconds: ttlSeconds(input.ttl ?? 0, name),
    ...described(input),
  };
  if (input.transformation !== undefined) view.transformation = input.transformation;
  return view;
}

/** A view's TTL in seconds ({@link parseDuration}); a bad one is a definition error. */
function ttlSeconds(ttl: number | string, view: string): number {
  try {
    return parseDuration(ttl, `ttl of feature view "${view}"`);
  } catch (error) {
    throw new DefinitionError(errorMessage(error), undefined, { cause: error });
  }
}

export interface FeatureServiceInput extends Described {
  name: string;
  /** `view:feature` references, `view:*`, or whole feature views and on-demand views. */
  features: readonly (string | FeatureViewDefinition | OnDemandFeatureViewDefinition)[];
}

/**
 * Declare a feature service: the named set of features a model uses.
 *
 * @example featureService({ name: 'purchase_model_features', features: [rfm, behavior] })
 */
export function featureService(input: FeatureServiceInput): FeatureServiceDefinition {
  const name = checkName(input.name, 'feature service');
  const features = (input.features ?? []).map((ref) =>
    typeof ref === 'string' ? ref : `${ref?.name}:*`,
  );
  return { kind: 'featureService', name, features, ...described(input) };
}

export interface LabelViewInput extends Described {
  name: string;
  /** Entity objects or entity names: the label rows' keys are their join keys. */
  entities: readonly (EntityDefinition | string)[];
  /** The 0/1 column the model learns. */
  label: string;
  /** The SQL file (relative to the project root) that computes the label rows per cutoff. */
  transformation: string;
  /** The feature service (object or name) `train` and `predict` retrieve for these rows. */
  featureService: FeatureServiceDefinition | string;
  /** Names the model file and prediction columns; the label column's name by default. */
  prediction?: string;
}

/**
 * Declare the label rows a model learns from (the entity spine): a SQL file that `prep`
 * runs per cutoff like a feature view's, whose rows carry the entities' join keys,
 * `event_timestamp` (the cutoff) and the 0/1 `label`. `train` retrieves the feature
 * service for every row and holds out the last cutoff; `predict` scores the rows of the
 * last cutoff. Label views live in the repository only (they are not synced to the registry).
 *
 * @example
 * labelView({
 *   name: 'purchase_labels', entities: [customer], label: 'purchased', prediction: 'purchase',
 *   transformation: 'sql/labels/purchase_labels.sql', featureService: purchaseModelFeatures,
 * })
 */
export function labelView(input: LabelViewInput): LabelViewDefinition {
  const name = checkName(input.name, 'label view');
  const what = `label view "${name}"`;
  if (typeof input.transformation !== 'string' || input.transformation === '') {
    throw new DefinitionError(
      `Failed to define ${what}: \`transformation\` (a SQL file) is required`,
    );
  }
  const service =
    typeof input.featureService === 'string' ? input.featureService : input.featureService?.name;
  return {
    kind: 'labelView',
    name,
    entities: (input.entities ?? []).map((e) => (typeof e === 'string' ? e : e?.name)),
    label: checkName(input.label, `label column of ${what}`),
    transformation: input.transformation,
    featureService: checkName(service, `feature service of ${what}`),
    prediction: checkName(input.prediction ?? input.label, `prediction of ${what}`),
    ...described(input),
  };
}

/**
 * The repository's configuration; export it from `feature_store.ts` as `config` (or as the
 * default export).
 *
 * `inputs` names the files (or globs) the transformation SQL files read as `$name`
 * parameters, relative to the project root; `transactions` (what `ingest` writes) is
 * always available.
 *
 * @example
 * export const config = defineConfig({
 *   project: 'retail',
 *   inputs: { products: 'data/products.parquet', returns: 'data/returns/*.parquet' },
 * })
 */
export function defineConfig(config: RepoConfig): RepoConfig {
  checkName(config?.project, 'project');
  for (const [name, path] of Object.entries(config.inputs ?? {})) {
    checkName(name, 'input');
    if (typeof path !== 'string' || path === '') {
      throw new DefinitionError(
        `Failed to define input "${name}": its path must be a non-empty string`,
      );
    }
  }
  return { ...config, ...(config.inputs ? { inputs: { ...config.inputs } } : {}) };
}

export interface RequestSourceInput {
  name: string;
  /** Entity-row column → type: the request data the caller passes with each entity row. */
  schema: Record<string, ValueType>;
}

/**
 * Declare request data: columns of the entity rows that on-demand views read.
 *
 * @example requestSource({ name: 'checkout', schema: { basket_value: 'float64' } })
 */
export function requestSource(input: RequestSourceInput): RequestSourceDefinition {
  const name = checkName(input.name, 'request source');
  return {
    kind: 'requestSource',
    name,
    schema: Object.entries(input.schema ?? {}).map(([column, type]) => ({
      name: checkName(column, `column of request source "${name}"`),
      type: checkValueType(type, `column "${column}" of request source "${name}"`),
    })),
  };
}

export interface OnDemandFeatureViewInput extends Described {
  name: string;
  /** Feature views (or their names) and request sources whose values the expressions read. */
  sources: readonly (FeatureViewDefinition | RequestSourceDefinition | string)[];
  /** Feature name → type, in the order the features should be listed. */
  schema: Record<string, ValueType>;
  /**
   * Feature name → a DuckDB SQL expression over the inputs, named bare: the source views'
   * features and the request columns (`'monetary / nullif(frequency, 0)'`).
   */
  expressions: Record<string, string>;
}

/**
 * Declare an on-demand feature view: features computed at retrieval time by SQL expressions
 * over other views' features and request columns. Offline they are compiled into the
 * retrieval SQL; online `evaluateOnDemand` runs the same expressions on DuckDB.
 *
 * @example
 * onDemandFeatureView({
 *   name: 'basket_ratio',
 *   sources: [rfm, requestSource({ name: 'checkout', schema: { basket_value: 'float64' } })],
 *   schema: { basket_to_average: 'float64' },
 *   expressions: { basket_to_average: 'basket_value / nullif(avg_order_value, 0)' },
 * })
 */
export function onDemandFeatureView(
  input: OnDemandFeatureViewInput,
): OnDemandFeatureViewDefinition {
  const name = checkName(input.name, 'on-demand view');
  const sources: string[] = [];
  const requestSchema: { name: string; type: ValueType }[] = [];
  for (const source of input.sources ?? []) {
    if (typeof source === 'string') sources.push(source);
    else if (source?.kind === 'requestSource') requestSchema.push(...source.schema);
    else if (source?.kind === 'featureView') sources.push(source.name);
    else {
      throw new DefinitionError(
        `Failed to define on-demand view "${name}": a source must be a feature view, its name, or a requestSource(...)`,
      );
    }
  }
  const expressions = input.expressions ?? {};
  const features = Object.entries(input.schema ?? {}).map(([feature, type]) => {
    const expression = expressions[feature];
    if (typeof expression !== 'string' || expression.trim() === '') {
      throw new DefinitionError(
        `Failed to define on-demand view "${name}": feature "${feature}" has no expression`,
      );
    }
    return {
      name: checkName(feature, `feature of on-demand view "${name}"`),
      type: checkValueType(type, `feature "${feature}" of on-demand view "${name}"`),
      expression: expression.trim(),
    };
  });
  const extra = Object.keys(expressions).filter((f) => !(f in (input.schema ?? {})));
  if (extra.length > 0) {
    throw new DefinitionError(
      `Failed to define on-demand view "${name}": expression for "${extra[0]}", which is not in its schema`,
    );
  }
  return {
    kind: 'onDemandFeatureView',
    name,
    sources,
    requestSchema,
    features,
    ...described(input),
  };
}
