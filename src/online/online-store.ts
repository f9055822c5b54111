import type { FeatureDefinition } from '../definitions/types.js';
import type { OnlineStoreLocation } from './open-online-store.js';

/** How one feature view is laid out in an online store. */
export interface OnlineViewLayout {
  readonly name: string;
  /** Join key columns, in order (composite keys allowed). */
  readonly joinKeys: readonly string[];
  /** Every feature of the view, in declaration order (the order of `OnlineRow.values`). */
  readonly features: readonly FeatureDefinition[];
}

/**
 * A stored value: numbers (int64 and float64), strings, booleans, timestamps as microseconds
 * since the epoch (UTC), or null for a stored NULL.
 */
export type StoredValue = number | string | boolean | null;

/** One entity's row of one view, as written to and read from a store. */
export interface OnlineRow {
  /** The entity key, encoded by `encodeEntityKey` (one text for all key columns). */
  readonly key: string;
  /** The feature timestamp, microseconds since the epoch (UTC). */
  readonly eventTimestampUs: number;
  /** One value per feature of the layout, in its order. */
  readonly values: readonly StoredValue[];
}

/** What was found for one entity in one view: its timestamp and the requested values. */
export interface StoredFeatures {
  readonly eventTimestampUs: number;
  /** In the order of the read's `features`. */
  readonly values: readonly StoredValue[];
}

/** One view's part of a read: which features, for which encoded entity keys. */
export interface OnlineViewRead {
  readonly view: OnlineViewLayout;
  /** Feature names of the view to read, in output order. */
  readonly features: readonly string[];
  /** One encoded key per entity row (repeats allowed). */
  readonly keys: readonly string[];
}

/**
 * Writes one view's rows as one unit of a materialize run. Each entity's row is written
 * whole (never half of one run and half of another); `commit` makes the run visible where the
 * store can hold it back (the embedded store: one transaction), `abort` drops what it can.
 */
export interface OnlineViewWriter {
  write(rows: readonly OnlineRow[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Where materialized feature rows live for low-latency reads: the latest row per entity
 * key of each view. Implementations: `RedisOnlineStore` (a hash per entity key holding every
 * view's fields, one round trip per read) and the embedded default under the feature
 * repository. Errors reaching the store throw `OnlineStoreUnavailableError`.
 *
 * @example
 * const writer = await store.beginWrite(layout);
 * try { await writer.write(rows); await writer.commit() } catch (e) { await writer.abort(); throw e }
 * const [found] = await store.read([{ view: layout, features: ['frequency'], keys: ['12346'] }]);
 */
export interface OnlineStore {
  /** What and where the store is, safe to print (no password). */
  readonly description: string;
  /**
   * Where the store is, for `duckfeat worker`s to open it (materialize on the bullmq
   * executor); absent for a store no other process can open.
   */
  readonly location?: OnlineStoreLocation;
  /**
   * Start writing a view's rows (creates what the view needs). `bulk`: a whole view's run
   * (materialize), which may take the store's writes a long time, not a request's push.
   */
  beginWrite(view: OnlineViewLayout, options?: { bulk?: boolean }): Promise<OnlineViewWriter>;
  /** Per view read (same order), per key: what is stored, or undefined (no row). */
  read(reads: readonly OnlineViewRead[]): Promise<(StoredFeatures | undefined)[][]>;
  /** Throws `OnlineStoreUnavailableError` when the store cannot be reached. */
  ping(): Promise<void>;
  /** Remove every row of the given views (or all of this project's views). */
  clear(views?: readonly OnlineViewLayout[]): Promise<void>;
  close(): Promise<void>;
}
