/**
 * The shapes of feature-repository objects. Plain data (no classes), so definitions loaded
 * from a user's `feature_store.ts` compare and serialize the same wherever they come from.
 * The factory functions that build and validate them live beside this file.
 */

/** Feature and key value types, named as Feast names them. */
export type ValueType = 'int64' | 'float64' | 'string' | 'bool' | 'timestamp';

export const VALUE_TYPES: readonly ValueType[] = [
  'int64',
  'float64',
  'string',
  'bool',
  'timestamp',
];

/** Free-form labels on an object. */
export type Tags = Record<string, string>;

export interface EntityDefinition {
  readonly kind: 'entity';
  readonly name: string;
  /** One or more key columns (composite keys allowed), in order. */
  readonly joinKeys: readonly string[];
  readonly valueType: ValueType;
  readonly description?: string;
  readonly tags?: Tags;
  readonly owner?: string;
}

export interface FileSourceDefinition {
  readonly kind: 'fileSource';
  /** Defaults to the file's base name without extension. */
  readonly name: string;
  /** As written in the definition: relative paths resolve against the repository folder. */
  readonly path: string;
  readonly format: 'parquet' | 'csv';
  /** The feature timestamp column (the time the values describe). */
  readonly timestampField: string;
  /** The time a row became known; breaks ties and bounds `asOf`. */
  readonly createdTimestampColumn?: string;
  /** Source column → feature/key name. */
  readonly fieldMapping?: Readonly<Record<string, string>>;
  readonly description?: string;
}

export interface FeatureDefinition {
  readonly name: string;
  readonly type: ValueType;
}

export interface FeatureViewDefinition {
  readonly kind: 'featureView';
  readonly name: string;
  /** Entity names, in order; the view's join keys are their keys, in that order. */
  readonly entities: readonly string[];
  /** Features in declaration order. */
  readonly features: readonly FeatureDefinition[];
  readonly source: FileSourceDefinition;
  /** Time to live in seconds; 0 means unbounded. */
  readonly ttlSeconds: number;
  /** The SQL file (relative to the project root) that computes this view per cutoff. */
  readonly transformation?: string;
  readonly description?: string;
  readonly tags?: Tags;
  readonly owner?: string;
}

/** A feature of an on-demand view: a DuckDB SQL expression over the view's inputs. */
export interface OnDemandFeatureDefinition extends FeatureDefinition {
  readonly expression: string;
}

/** Columns the caller supplies with each entity row (Feast's request source). */
export interface RequestSourceDefinition {
  readonly kind: 'requestSource';
  readonly name: string;
  readonly schema: readonly FeatureDefinition[];
}

/**
 * An on-demand feature view: features computed at retrieval time by SQL expressions over
 * the features of other views and request columns of the entity rows. The same expressions
 * run inside the retrieval SQL offline and over fetched rows online.
 */
export interface OnDemandFeatureViewDefinition {
  readonly kind: 'onDemandFeatureView';
  readonly name: string;
  /** The feature views whose features the expressions read (by bare feature name), in order. */
  readonly sources: readonly string[];
  /** Entity-row columns the expressions read, with their types. */
  readonly requestSchema: readonly FeatureDefinition[];
  /** Features in declaration order, each with its expression. */
  readonly features: readonly OnDemandFeatureDefinition[];
  readonly description?: string;
  readonly tags?: Tags;
  readonly owner?: string;
}

export interface FeatureServiceDefinition {
  readonly kind: 'featureService';
  readonly name: string;
  /** `view:feature` or `view:*` references, in order. */
  readonly features: readonly string[];
  readonly description?: string;
  readonly tags?: Tags;
  readonly owner?: string;
}

export interface LabelViewDefinition {
  readonly kind: 'labelView';
  readonly name: string;
  /** Entity names, in order; the label rows' keys are their join keys, in that order. */
  readonly entities: readonly string[];
  /** The 0/1 column the model learns. */
  readonly label: string;
  /** The SQL file (relative to the project root) that computes the label rows per cutoff. */
  readonly transformation: string;
  /** The feature service `train` and `predict` retrieve for the label rows. */
  readonly featureService: string;
  /**
   * What the model predicts: it names the model file (`models/<prediction>_model.txt`) and
   * the prediction columns (`<prediction>_probability`, `<prediction>_predicted`).
   */
  readonly prediction: string;
  readonly description?: string;
  readonly tags?: Tags;
  readonly owner?: string;
}

export interface RepoConfig {
  readonly project: string;
  /**
   * Named inputs the transformation SQL files read as `$name` parameters: a parquet/CSV
   * file or a glob, relative to the project root. `transactions` (the cleaned transactions
   * `ingest` writes) is always available.
   */
  readonly inputs?: Readonly<Record<string, string>>;
  /** A `postgresql://` URL; `DUCKFEAT_REGISTRY_URL` overrides it. Unset: embedded PGlite. */
  readonly registry?: string;
  readonly offlineStore?: {
    /** Where `prep` writes the feature view parquets, relative to the repository. */
    readonly dataDir?: string;
  };
  /**
   * Where `materialize` writes and online reads come from: a `redis://` URL, or the
   * embedded store under the repository (the default). `DUCKFEAT_ONLINE_URL` overrides it.
   */
  readonly onlineStore?: string | OnlineStoreConfig;
}

/** The online store of a repository (see `RepoConfig.onlineStore`). */
export type OnlineStoreConfig =
  | {
      readonly type: 'embedded';
      /** The store's folder, relative to the repository (default `online`). */
      readonly path?: string;
    }
  | {
      readonly type: 'redis';
      /** `redis://[user:password@]host:port[/db]` */
      readonly url: string;
      /** Prefix of every key (default `duckfeat`); the project name follows it. */
      readonly keyPrefix?: string;
    };

export type Definition =
  | OnDemandFeatureViewDefinition
  | EntityDefinition
  | FileSourceDefinition
  | FeatureViewDefinition
  | FeatureServiceDefinition
  | LabelViewDefinition;

/**
 * A feature view as retrieval needs it: everything resolved (entity keys, absolute source
 * path). This is what the registry returns and what the retrieval compiler takes.
 */
export interface ResolvedFeatureView {
  readonly name: string;
  /** Join key columns, in order, as named in the entity rows and (after mapping) the source. */
  readonly joinKeys: readonly string[];
  readonly features: readonly FeatureDefinition[];
  readonly source: {
    /** Absolute path (or glob) of the parquet/csv file. */
    readonly path: string;
    readonly format: 'parquet' | 'csv';
    readonly timestampField: string;
    readonly createdTimestampColumn?: string;
    readonly fieldMapping?: Readonly<Record<string, string>>;
  };
  readonly ttlSeconds: number;
}
