import { parseDuration } from '../definitions/duration.js';
import { InputError } from '../errors.js';
import type { EntityInput } from './entity-input.js';

/**
 * A point-in-time retrieval request, as `FeatureStore.getHistoricalFeatures` takes it.
 *
 * @example
 * const request: HistoricalFeaturesRequest = {
 *   entities: 'feature_store/data/purchase_labels.parquet',
 *   features: ['customer_rfm:*', 'customer_behavior:return_rate'],
 *   ttlOverride: { customer_rfm: '90d' },
 *   asOf: '2011-11-01 00:00:00',
 * };
 */
export interface HistoricalFeaturesRequest {
  /** The entity rows: join keys + `event_timestamp` (or exactly one timestamp column). */
  readonly entities: EntityInput;
  /** `view:feature` / `view:*` references (comma-separated allowed) or one feature service name. */
  readonly features: string | readonly string[];
  /** Name output columns `view__feature` instead of `feature`. */
  readonly fullFeatureNames?: boolean;
  /** Per view, a TTL replacing the registered one: seconds or a duration (`'30d'`, see `parseDuration`). */
  readonly ttlOverride?: Readonly<Record<string, number | string>>;
  /** Knowledge time: only feature rows with `created_timestamp <= asOf` count. Naive = UTC. */
  readonly asOf?: string | Date;
  /** Add `view__event_timestamp` (the matched feature timestamp) per view. */
  readonly freshness?: boolean;
  /** Add a row number column (1 = first entity row); a string names it (default `row_id`). */
  readonly rowId?: boolean | string;
  /** Name of the compiled SQL file under `target/compiled/` (default: the service name or `historical_features`). */
  readonly name?: string;
}

/** The options of a request after checking, in the form the compiler uses. */
export interface RetrievalOptions {
  readonly fullFeatureNames: boolean;
  /** View name → TTL seconds. */
  readonly ttlOverride: ReadonlyMap<string, number>;
  /** `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC. */
  readonly asOf?: string;
  readonly freshness: boolean;
  readonly rowIdColumn?: string;
}

const NAIVE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?$/;

/**
 * A timestamp as the UTC text DuckDB binds as `TIMESTAMP`. Naive text is taken as UTC;
 * text with a zone (`Z`, `+02:00`) and `Date`s are converted to UTC.
 */
export function normalizeTimestamp(value: string | Date, what = 'timestamp'): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InputError(`Failed to read ${what}: invalid Date`);
    return value.toISOString().replace('T', ' ').replace('Z', '');
  }
  const text = value.trim();
  const naive = NAIVE.exec(text);
  if (naive) {
    const time = naive[2] ?? '00:00:00';
    return `${naive[1]} ${time.length === 5 ? `${time}:00` : time}`;
  }
  const parsed = new Date(text);
  if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || Number.isNaN(parsed.getTime())) {
    throw new InputError(
      `Failed to read ${what}: "${value}" is not a timestamp (use e.g. 2011-11-01 00:00:00)`,
    );
  }
  return normalizeTimestamp(parsed, what);
}

/** Check the options of a request and put them in the compiler's form. */
export function normalizeOptions(
  request: Omit<HistoricalFeaturesRequest, 'entities'>,
): RetrievalOptions {
  const ttlOverride = new Map<string, number>();
  for (const [view, ttl] of Object.entries(request.ttlOverride ?? {})) {
    ttlOverride.set(view, parseDuration(ttl, `the TTL override of ${view}`));
  }
  const rowIdColumn =
    request.rowId === true
      ? 'row_id'
      : typeof request.rowId === 'string'
        ? request.rowId
        : undefined;
  if (rowIdColumn === '') throw new InputError('Failed to read rowId: the column name is empty');
  return {
    fullFeatureNames: request.fullFeatureNames ?? false,
    ttlOverride,
    ...(request.asOf !== undefined ? { asOf: normalizeTimestamp(request.asOf, 'asOf') } : {}),
    freshness: request.freshness ?? false,
    ...(rowIdColumn !== undefined ? { rowIdColumn } : {}),
  };
}
