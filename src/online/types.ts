/**
 * The request and response of `OnlineFeatureStore.getOnlineFeatures`, shaped as Feast's
 * feature server speaks them (`POST /get-online-features`), so a Feast HTTP client reads
 * the JSON of a response unchanged.
 */

/** A join key value as a request gives it: int64 keys as numbers, bigints or digit strings; string keys as strings. */
export type EntityKeyValue = string | number | bigint | boolean;

/**
 * What to read online, for which entities.
 *
 * @example
 * const request: OnlineFeaturesRequest = {
 *   featureService: 'purchase_model_features',
 *   entities: { customer_id: [12346, 12347] },
 * };
 */
export interface OnlineFeaturesRequest {
  /** `view:feature` / `view:*` references (comma-separated allowed). Give this or `featureService`. */
  readonly features?: string | readonly string[];
  /** A feature service name. Give this or `features`. */
  readonly featureService?: string;
  /**
   * Join key → one value per entity row; every requested view's join keys must be present,
   * all arrays of the same length (composite keys: one array per key column). The request
   * columns of requested on-demand views go here too, as in Feast (a timestamp as ISO 8601
   * text; null allowed); they are not echoed in the response.
   */
  readonly entities: Readonly<Record<string, readonly (EntityKeyValue | null)[]>>;
  /** Name features `view__feature` instead of `feature`. */
  readonly fullFeatureNames?: boolean;
  /** The time a view's TTL is measured back from (default: now). Naive text is UTC. */
  readonly requestTime?: string | Date;
}

/**
 * Per value: PRESENT, NULL_VALUE (stored as NULL), NOT_FOUND (no row for the key) or
 * OUTSIDE_MAX_AGE (the row is older than the view's TTL; the value is returned as null).
 */
export type FeatureStatus = 'PRESENT' | 'NULL_VALUE' | 'NOT_FOUND' | 'OUTSIDE_MAX_AGE';

/**
 * A value as returned: int64 and float64 as numbers (an int64 outside ±2^53 as a string of
 * digits), strings, booleans, timestamps as ISO 8601 UTC text; null when not PRESENT.
 */
export type OnlineValue = number | string | boolean | null;

/** One output column: a join key column or a feature, one entry per entity row. */
export interface OnlineFeatureColumn {
  readonly values: OnlineValue[];
  readonly statuses: FeatureStatus[];
  /**
   * The feature timestamp of the stored row (ISO 8601 UTC, `Z`); `1970-01-01T00:00:00Z`
   * for join key columns and NOT_FOUND values, as Feast writes it.
   */
  readonly event_timestamps: string[];
}

/**
 * Feast's response: `metadata.feature_names` names the columns (the join keys first, in
 * request order, then the features); `results[i]` is column i.
 */
export interface OnlineFeaturesResponse {
  readonly metadata: { readonly feature_names: string[] };
  readonly results: OnlineFeatureColumn[];
}

/**
 * Rows to write to the online store directly (`POST /push`): each row holds the view's join
 * keys, its timestamp field (as named in the view's source) and any of its features (a
 * feature left out is stored as NULL).
 */
export interface OnlinePushRequest {
  readonly featureView: string;
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}
