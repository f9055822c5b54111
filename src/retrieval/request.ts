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
  /**
   * The entity rows: join keys + `event_timestamp` (or exactly one timestamp column). Leave
   * out and give `start` and `end` to retrieve every key's rows in that range instead.
   */
  readonly entities?: EntityInput;
  /**
   * Without `entities`: the entity rows are every distinct (join keys, feature timestamp) of
   * the requested views with `start <= timestamp <= end` (Feast's entity-less retrieval),
   * ordered by keys then timestamp. Naive = UTC.
   */
  readonly start?: string | Date;
  readonly end?: string | Date;
  /** `view:feature` / `view:*` references (comma-separated allowed) or one feature service name. */
  readonly features: string | readonly string[];
  /** Name output columns `view__feature` instead of `feature`. */
  readonly fullFeatureNames?: boolean;
  /** Per view, a TTL replacing the registered one: seconds or a duration (`'30d'`, see `parseDuration`). */
  readonly ttlOverride?: Readonly<Record<string, number | string>>;
  /** Knowledge time: only feature rows with `created_timestamp <= asOf` count. Naive = UTC. */
  readonly asOf?: string | Date;
  /**
   * Knowledge time per entity row: the entity column holding it (a timestamp). Only feature
   * rows with `created_timestamp <=` that row's value count; a NULL there bounds nothing.
   */
  readonly asOfColumn?: string;
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
  /** The entity column holding each row's knowledge time. */
  readonly asOfColumn?: string;
  /** Without entity rows: the feature timestamps to take every key's rows from (UTC, inclusive). */
  readonly range?: { readonly start: string; readonly end: string };
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
  request: Omit<HistoricalFeaturesRequest, 'entities'> & { readonly entities?: unknown },
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
  if (request.asOf !== undefined && request.asOfColumn !== undefined) {
    throw new InputError(
      'Failed to read the request: give asOf (one knowledge time) or asOfColumn (one per entity row), not both',
    );
  }
  const spineless = request.entities === undefined;
  if (spineless !== (request.start !== undefined && request.end !== undefined)) {
    throw new InputError(
      spineless
        ? "Failed to read the request: give entity rows (entities), or start and end to take every key's rows in that range"
        : 'Failed to read the request: start and end replace the entity rows; give one or the other',
    );
  }
  if (spineless && request.asOfColumn !== undefined) {
    throw new InputError(
      'Failed to read the request: asOfColumn names an entity column, and there are no entity rows (start/end)',
    );
  }
  const range =
    request.start !== undefined && request.end !== undefined
      ? {
          start: normalizeTimestamp(request.start, 'start'),
          end: normalizeTimestamp(request.end, 'end'),
        }
      : undefined;
  return {
    fullFeatureNames: request.fullFeatureNames ?? false,
    ttlOverride,
    ...(request.asOf !== undefined ? { asOf: normalizeTimestamp(request.asOf, 'asOf') } : {}),
    ...(request.asOfColumn !== undefined ? { asOfColumn: request.asOfColumn } : {}),
    ...(range ? { range } : {}),
    freshness: request.freshness ?? false,
    ...(rowIdColumn !== undefined ? { rowIdColumn } : {}),
  };
}
