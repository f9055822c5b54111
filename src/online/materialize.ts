import type { DuckDBInstance } from '@duckdb/node-api';
import type { ProjectPaths } from '../config/paths.js';
import type { ResolvedFeatureView } from '../definitions/types.js';
import { createInstance } from '../duckdb/connection.js';
import type { TaskQueueOptions } from '../engine/task-queue.js';
import { InputError, InterruptedError, NotFoundError } from '../errors.js';
import { openRegistry, type Registry } from '../registry/registry.js';
import { loadRepository } from '../repo/load-repository.js';
import { suggest } from '../retrieval/feature-refs.js';
import { describeSource } from '../retrieval/feature-store.js';
import { normalizeTimestamp } from '../retrieval/request.js';
import { compileMaterialize, type MaterializeWindow } from './materialize-query.js';
import {
  executeMaterializeTask,
  type MaterializeTask,
  type MaterializeTaskResult,
} from './materialize-task.js';
import type { OnlineStore } from './online-store.js';
import { openOnlineStore } from './open-online-store.js';

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
  /**
   * Where each view's run happens: in this process (default), or `bullmq`: one task per
   * view in one flow, run by `duckfeat worker` processes (retries, a dead worker's view
   * taken over by another) that reach the same feature data and online store.
   */
  executor?: 'in-process' | 'bullmq';
  /** The bullmq executor's Redis URL, key prefix and retries. */
  queue?: TaskQueueOptions;
  /** Aborting cancels a bullmq run (its flow is removed, running views are interrupted). */
  signal?: AbortSignal;
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
    const context: ViewRunContext = {
      store,
      registry,
      instance,
      incremental: options.incremental ?? false,
      batchRows: options.batchRows ?? 10_000,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    };
    const results: MaterializeViewResult[] = [];
    const done = (result: MaterializeViewResult) => {
      results.push(result);
      options.onProgress?.({ kind: 'done', result, done: results.length, total: views.length });
    };
    if (options.executor === 'bullmq') {
      await materializeOnQueue(views, end, context, options, done);
    } else {
      for (const view of views) done(await materializeView(view, end, context));
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

/** A view's run as planned: up to date already, or the task that writes it. */
type PlannedView =
  | { upToDate: true; result: MaterializeViewResult }
  | { upToDate: false; task: MaterializeTask; start: string | null };

/**
 * Plan a view's run: the window (an incremental run starts at the last completed run's end
 * in the same store) and the compiled query, as a task any executor can run.
 */
async function planView(
  view: ResolvedFeatureView,
  end: string,
  context: ViewRunContext,
): Promise<PlannedView> {
  const { store, registry } = context;
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
      return {
        upToDate: true,
        result: { view: view.name, start, end, rows: 0, durationMs: 0, upToDate: true },
      };
    }
  }
  const window: MaterializeWindow = start === null ? { end } : { start, end };
  const connection = await context.instance.connect();
  try {
    const compiled = compileMaterialize(view, window, await describeSource(connection, view));
    return {
      upToDate: false,
      start,
      task: {
        kind: 'materialize',
        id: view.name,
        view: view.name,
        layout: {
          name: view.name,
          joinKeys: view.joinKeys,
          features: view.features.map((f) => ({ name: f.name, type: f.type })),
        },
        sql: compiled.sql,
        parameters: compiled.parameters,
        end,
        batchRows: context.batchRows,
        store: store.location ?? null,
      },
    };
  } finally {
    connection.closeSync();
  }
}

/** Plan, run in this process, and record one view. */
async function materializeView(
  view: ResolvedFeatureView,
  end: string,
  context: ViewRunContext,
): Promise<MaterializeViewResult> {
  const planned = await planView(view, end, context);
  if (planned.upToDate) return planned.result;
  const { task } = planned;
  context.onProgress?.({ kind: 'view', view: view.name, window: windowOf(planned.start, end) });
  const connection = await context.instance.connect();
  let result: MaterializeTaskResult;
  try {
    result = await executeMaterializeTask(task, connection, context.store, (rows) =>
      context.onProgress?.({ kind: 'rows', view: view.name, rows }),
    );
  } finally {
    connection.closeSync();
  }
  return recordView(context, planned.start, task, result);
}

/**
 * Every view's run as one task of one bullmq flow, run by `duckfeat worker`s; each view is
 * recorded as its task completes. The coordinator plans (reads the registry and the
 * sources' schemas) and records; workers only query and write.
 */
async function materializeOnQueue(
  views: readonly ResolvedFeatureView[],
  end: string,
  context: ViewRunContext,
  options: Pick<MaterializeOptions, 'queue' | 'signal'>,
  done: (result: MaterializeViewResult) => void,
): Promise<void> {
  if (!context.store.location) {
    throw new InputError(
      `Failed to materialize: ${context.store.description} cannot be opened by a worker; the bullmq executor needs the embedded store or Redis`,
    );
  }
  const tasks: { task: MaterializeTask; start: string | null }[] = [];
  for (const view of views) {
    const planned = await planView(view, end, context);
    if (planned.upToDate) done(planned.result);
    else tasks.push(planned);
  }
  if (tasks.length === 0) return;
  const { BullmqExecutor } = await import('../engine/bullmq-executor.js');
  const executor = await BullmqExecutor.create(options.queue);
  const records: Promise<void>[] = [];
  try {
    for (const { task, start } of tasks) {
      context.onProgress?.({ kind: 'view', view: task.view, window: windowOf(start, end) });
    }
    await executor.runTasks(
      tasks.map((t) => t.task),
      {
        signal: options.signal,
        onProgress: (task, rows) => context.onProgress?.({ kind: 'rows', view: task.view, rows }),
        onDone: (task, result) => {
          const start = tasks.find((t) => t.task === task)?.start ?? null;
          const recorded = recordView(context, start, task, result).then(done);
          // Awaited below; marked handled so a failing record cannot crash the run first.
          recorded.catch(() => {});
          records.push(recorded);
        },
      },
    );
  } catch (error) {
    throw options.signal?.aborted
      ? new InterruptedError('Failed to materialize: interrupted')
      : error;
  } finally {
    await executor.close();
  }
  await Promise.all(records);
}

function windowOf(start: string | null, end: string): MaterializeWindow {
  return start === null ? { end } : { start, end };
}

/**
 * Record a completed view run in the registry. Only after the whole view is written: a run
 * that dies leaves no interval, and the next incremental run starts again from the last
 * complete one.
 */
async function recordView(
  context: Pick<ViewRunContext, 'registry' | 'store'>,
  start: string | null,
  task: MaterializeTask,
  result: MaterializeTaskResult,
): Promise<MaterializeViewResult> {
  await context.registry.applyOnlineMaterialization({
    view: task.view,
    store: context.store.description,
    start,
    end: task.end,
    rows: result.rows,
    startedAt: new Date(result.startedAt),
    finishedAt: new Date(result.finishedAt),
    durationMs: result.durationMs,
  });
  return {
    view: task.view,
    start,
    end: task.end,
    rows: result.rows,
    durationMs: result.durationMs,
    upToDate: false,
  };
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
