import type { DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';
import type { ProjectPaths } from '../config/paths.js';
import type { ResolvedFeatureView, ValueType } from '../definitions/types.js';
import { createInstance } from '../duckdb/connection.js';
import { InputError, NotFoundError } from '../errors.js';
import { openRegistry, type Registry } from '../registry/registry.js';
import { loadRepository } from '../repo/load-repository.js';
import { suggest } from '../retrieval/feature-refs.js';
import { describeSource } from '../retrieval/feature-store.js';
import { normalizeTimestamp } from '../retrieval/request.js';
import { compileMaterialize, type MaterializeWindow } from './materialize-query.js';
import type { OnlineRow, OnlineStore, StoredValue } from './online-store.js';
import { openOnlineStore } from './open-online-store.js';
import { int64Value } from './value-types.js';

export interface MaterializeOptions {
  paths: ProjectPaths;
  /** Newest feature timestamp to write (inclusive; naive = UTC); default: now. */
  end?: string | Date;
  /** The views to materialize (default: every registered view). */
  views?: readonly string[];
  /**
   * Write only rows newer than the last completed run of each view into the same store
   * (feature timestamp in `(last end, end]`); a view never materialized is written whole.
   */
  incremental?: boolean;
  /** The store to write; default: the configured one (`DUCKFEAT_ONLINE_URL`, config, embedded). */
  store?: OnlineStore;
  /** The registry to read views from and record runs in; default: the project's. */
  registry?: Registry;
  /** The DuckDB instance to read with; default: a new in-memory one. */
  instance?: DuckDBInstance;
  /** Rows per write to the store (default 10,000): what JS holds at once, twice. */
  batchRows?: number;
  onProgress?: (event: MaterializeProgress) => void;
}

/** One view's run. Timestamps as `YYYY-MM-DD HH:MM:SS[.ffffff]` UTC. */
export interface MaterializeViewResult {
  readonly view: string;
  /** Exclusive start of the feature timestamps written; null: from the beginning. */
  readonly start: string | null;
  readonly end: string;
  /** Entity rows written. */
  readonly rows: number;
  readonly durationMs: number;
  /** True when an incremental run had nothing to do (end not after the last run's end). */
  readonly upToDate: boolean;
}

export interface MaterializeResult {
  /** The store written (its description). */
  readonly store: string;
  readonly views: readonly MaterializeViewResult[];
  readonly totalMs: number;
}

/** What `materialize` reports while it runs. */
export type MaterializeProgress =
  | { kind: 'planned'; views: readonly string[]; store: string; end: string }
  | { kind: 'view'; view: string; window: MaterializeWindow }
  | { kind: 'rows'; view: string; rows: number }
  | { kind: 'done'; result: MaterializeViewResult; done: number; total: number };

/**
 * Copy the latest row per entity key of each feature view (feature timestamp <= `end`,
 * retrieval's tie rule) into the online store, streaming from DuckDB in batches. Each
 * completed view's interval is recorded in the registry; `incremental` starts where the last
 * recorded run ended.
 *
 * @example
 * const result = await materialize({ paths: projectPaths(), end: '2011-10-27 08:26:00' });
 * // result.views: [{ view: 'customer_rfm_features', rows: 2417, … }, …]
 */
export async function materialize(options: MaterializeOptions): Promise<MaterializeResult> {
  const started = performance.now();
  const end = normalizeTimestamp(options.end ?? new Date(), 'end');
  const opened: { close(): Promise<void> }[] = [];
  let instance: DuckDBInstance | undefined;
  try {
    let registry = options.registry;
    let store = options.store;
    if (!registry || !store) {
      const { config } = await loadRepository(options.paths);
      if (!registry) {
        registry = await openRegistry({ paths: options.paths, config });
        opened.push(registry);
      }
      if (!store) {
        store = await openOnlineStore({ paths: options.paths, config });
        opened.push(store);
      }
    }
    const views = pickViews(await registry.resolveFeatureViews(), options.views);
    await store.ping();
    options.onProgress?.({
      kind: 'planned',
      views: views.map((v) => v.name),
      store: store.description,
      end,
    });
    instance = options.instance ?? (await createInstance());
    const results: MaterializeViewResult[] = [];
    for (const view of views) {
      const result = await materializeView(view, end, {
        store,
        registry,
        instance,
        incremental: options.incremental ?? false,
        batchRows: options.batchRows ?? 10_000,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      results.push(result);
      options.onProgress?.({ kind: 'done', result, done: results.length, total: views.length });
    }
    return { store: store.description, views: results, totalMs: performance.now() - started };
  } finally {
    if (instance && !options.instance) instance.closeSync();
    for (const resource of opened.reverse()) await resource.close();
  }
}

interface ViewRunContext {
  store: OnlineStore;
  registry: Registry;
  instance: DuckDBInstance;
  incremental: boolean;
  batchRows: number;
  onProgress?: (event: MaterializeProgress) => void;
}

async function materializeView(
  view: ResolvedFeatureView,
  end: string,
  context: ViewRunContext,
): Promise<MaterializeViewResult> {
  const { store, registry } = context;
  const startedAt = new Date();
  const started = performance.now();
  let start: string | null = null;
  if (context.incremental) {
    const runs = await registry.listOnlineMaterializations({
      view: view.name,
      store: store.description,
    });
    start = runs.reduce<string | null>(
      (last, run) => (last === null || run.end > last ? run.end : last),
      null,
    );
    if (start !== null && start >= end) {
      return { view: view.name, start, end, rows: 0, durationMs: 0, upToDate: true };
    }
  }
  const window: MaterializeWindow = start === null ? { end } : { start, end };
  context.onProgress?.({ kind: 'view', view: view.name, window });
  const connection = await context.instance.connect();
  let rows = 0;
  try {
    const compiled = compileMaterialize(view, window, await describeSource(connection, view));
    const writer = await store.beginWrite(view);
    try {
      const result = await connection.stream(compiled.sql, compiled.parameters);
      const convert = view.features.map((f) => converter(f.type));
      let batch: OnlineRow[] = [];
      let pending: Promise<void> | undefined;
      const flush = async () => {
        const rowsOut = batch;
        batch = [];
        // One write in flight while the next batch is read from DuckDB.
        await pending;
        rows += rowsOut.length;
        context.onProgress?.({ kind: 'rows', view: view.name, rows });
        pending = writer.write(rowsOut);
      };
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        appendRows(chunk, convert, batch);
        if (batch.length >= context.batchRows) await flush();
      }
      if (batch.length > 0) await flush();
      await pending;
      await writer.commit();
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw error;
    }
  } finally {
    connection.closeSync();
  }
  const durationMs = performance.now() - started;
  // Recorded only after the whole view is written: a run that dies leaves no interval, and
  // the next incremental run starts again from the last complete one.
  await registry.applyOnlineMaterialization({
    view: view.name,
    store: store.description,
    start,
    end,
    rows,
    startedAt,
    finishedAt: new Date(),
    durationMs,
  });
  return { view: view.name, start, end, rows, durationMs, upToDate: false };
}

type Convert = (value: unknown) => StoredValue;

function converter(type: ValueType): Convert {
  switch (type) {
    case 'int64':
      return (v) => (v === null ? null : int64Value(v as bigint));
    case 'timestamp':
      return (v) => (v === null ? null : Number(v as bigint));
    default:
      return (v) => v as StoredValue;
  }
}

function appendRows(chunk: DuckDBDataChunk, convert: readonly Convert[], out: OnlineRow[]): void {
  const size = chunk.rowCount;
  const keys = chunk.getColumnValues(0) as string[];
  const timestamps = chunk.getColumnValues(1) as bigint[];
  const columns = convert.map((_, f) => chunk.getColumnValues(f + 2));
  for (let i = 0; i < size; i++) {
    const values: StoredValue[] = new Array(convert.length);
    for (let f = 0; f < convert.length; f++) values[f] = convert[f]!(columns[f]![i]);
    out.push({ key: keys[i]!, eventTimestampUs: Number(timestamps[i]!), values });
  }
}

function pickViews(
  all: readonly ResolvedFeatureView[],
  names: readonly string[] | undefined,
): ResolvedFeatureView[] {
  if (all.length === 0) {
    throw new InputError(
      'Failed to materialize: the registry has no feature views; run `duckfeat apply` first',
    );
  }
  if (!names || names.length === 0) return [...all];
  return names.map((name) => {
    const view = all.find((v) => v.name === name);
    if (!view) {
      throw new NotFoundError(
        `Failed to materialize: no feature view "${name}"${suggest(
          name,
          all.map((v) => v.name),
          'feature views',
        )}`,
      );
    }
    return view;
  });
}
