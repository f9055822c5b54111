import { access, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { ProjectPaths } from '../config/paths.js';
import { createInstance } from '../duckdb/connection.js';
import { DuckfeatError, InputError, InterruptedError } from '../errors.js';
import type { Repository } from '../repo/repository.js';
import { computeCutoffs, DEFAULT_WINDOWS, readDateRange, type WindowOptions } from './cutoffs.js';
import { createExecutor, DEFAULT_EXECUTOR } from './executors.js';
import { type InputSource, inputsFingerprint, resolveInputs } from './inputs.js';
import { type Manifest, type ManifestEntry, readManifest, writeManifest } from './manifest.js';
import type { MaterializationRecord } from './materialization-record.js';
import { removeStalePartitions, writeOutputs } from './outputs.js';
import type { PrepProgress } from './progress.js';
import type { SqlParamValue } from './sql-file.js';
import { type Task, type TaskResult, taskKey } from './task.js';
import type { ExecutorKind, ExecutorOptions, TaskExecutor } from './task-executor.js';
import { formatTimestamp, parseTimestamp, timestampStamp } from './timestamps.js';
import type { TransactionsSource } from './transactions.js';
import { repositoryViews, type ViewSource } from './views.js';

/** A task of a `prep` run: its materialization, computed now or reused. */
export interface PrepTaskRecord extends MaterializationRecord {
  /** `created_timestamp` of the rows: when the task ran (kept when reused). */
  readonly createdTimestamp: string;
  /** True when the partition of an earlier run was reused. */
  readonly reused: boolean;
}

export interface PrepOptions extends WindowOptions, ExecutorOptions {
  paths: ProjectPaths;
  /** The cleaned transactions (see `ingest()` / `fingerprintFile()`). */
  transactions: TransactionsSource;
  /** `'in-process'` (default), `'pool'` or `'bullmq'`, or an executor to use (left open). */
  executor?: ExecutorKind | TaskExecutor;
  /** Recompute every task even when its partition could be reused. */
  force?: boolean;
  /**
   * Explicit cutoffs (`'YYYY-MM-DD HH:MM:SS'`) instead of the rolling ones from the data's
   * date range, e.g. a subset of {@link computeCutoffs}' or a backfill's dates.
   */
  cutoffs?: string[];
  /**
   * The feature repository whose feature views and label views (their `transformation`
   * SQL files and entities' keys) `prep` runs, and whose `config.inputs` the SQL files may
   * read; loaded from `paths.repo` when omitted.
   */
  repository?: Repository;
  /** The SQL files to run, with their keys, instead of the repository's views. */
  views?: ViewSource[];
  /**
   * `created_timestamp` of every computed row instead of each task's start time (naive
   * UTC): the same input then gives byte-identical files on any executor.
   */
  createdTimestamp?: string;
  /** Named inputs (name → file or glob, against `paths.root`); default the repository's. */
  inputs?: Readonly<Record<string, string>>;
  /** Aborting stops the run: running queries are interrupted, outputs stay as they were. */
  signal?: AbortSignal;
  onProgress?: (event: PrepProgress) => void;
  /** Called with every task's record after the outputs are written. */
  onMaterialized?: (records: PrepTaskRecord[]) => Promise<void>;
}

export interface PrepOutput {
  view: string;
  kind: 'feature' | 'label';
  path: string;
  rows: number;
}

export interface PrepResult {
  transactions: TransactionsSource;
  cutoffs: string[];
  outputs: PrepOutput[];
  tasks: PrepTaskRecord[];
  reused: number;
  computed: number;
  executor: string;
  /** Milliseconds: planning (SQL files, cutoffs), tasks, writing outputs, total. */
  timings: { planMs: number; tasksMs: number; writeMs: number; totalMs: number };
}

/**
 * Compute every feature view and the labels for every cutoff: one task per (SQL file ×
 * cutoff), run concurrently by an executor into partitions under `paths.partitions`, then
 * one parquet per view under `paths.featureData`, sorted by (event_timestamp, the view's
 * join keys) and written atomically. The views are the repository's feature views and
 * label views (`transformation` SQL files); their `$name` parameters are the cutoff, the
 * windows and named inputs (`transactions`, and the repository's `config.inputs`). Tasks whose SQL text, parameters and input are
 * unchanged reuse their partition. A failed task throws its TaskError, an abort throws
 * InterruptedError; in both cases the outputs of the previous run are left as they were.
 *
 * @example
 * const result = await prep({ paths: projectPaths(), transactions: await fingerprintFile(path) });
 * console.log(result.outputs, `${result.reused} reused`);
 */
export async function prep(options: PrepOptions): Promise<PrepResult> {
  const started = performance.now();
  // One DuckDB instance for the whole run: planning, the in-process executor's connections
  // and the final combine all use it (an instance costs ~15 ms of CPU to start).
  const instance = await createInstance({
    threads: options.threads ?? 1,
    memoryLimit: options.memoryLimit,
  });
  try {
    return await prepOn(instance, options, started);
  } finally {
    instance.closeSync();
  }
}

async function prepOn(
  instance: DuckDBInstance,
  options: PrepOptions,
  started: number,
): Promise<PrepResult> {
  const { paths, transactions, signal } = options;
  const windows = { ...DEFAULT_WINDOWS, ...definedOnly(options) };
  const control = await instance.connect();
  let views: ViewSource[];
  let cutoffs: string[];
  let inputs: Record<string, InputSource>;
  try {
    // Each SQL file is read and parse-checked once per run; tasks carry its text.
    let repository = options.repository;
    if (!options.views && !repository) {
      const { loadRepository } = await import('../repo/load-repository.js');
      repository = await loadRepository(paths);
    }
    views = options.views ?? (await repositoryViews(repository!, control));
    inputs = await resolveInputs(
      views,
      options.inputs ?? repository?.config.inputs ?? {},
      { transactions },
      paths.root,
      control,
    );
    if (options.cutoffs) cutoffs = normalizeCutoffs(options.cutoffs);
    else {
      const range = await readDateRange(control, transactions.path);
      cutoffs = computeCutoffs(range.min, range.max, windows);
      if (cutoffs.length === 0) {
        throw new DuckfeatError(
          `Failed to prep: no cutoffs fit between ${range.min} and ${range.max} with a ${windows.featureWindowDays}-day feature window and a ${windows.labelWindowDays}-day label window`,
        );
      }
    }
  } finally {
    control.closeSync();
  }
  const pool: Record<string, SqlParamValue> = {
    feature_window_days: windows.featureWindowDays,
    label_window_days: windows.labelWindowDays,
  };
  const tasks = planTasks(views, cutoffs, pool, inputs, paths.partitions);
  if (options.createdTimestamp !== undefined) {
    const pinned = parseTimestamp(options.createdTimestamp);
    if (pinned === undefined) {
      throw new InputError(
        `Failed to prep: createdTimestamp ${JSON.stringify(options.createdTimestamp)} is not a timestamp`,
      );
    }
    for (const task of tasks) task.createdTimestamp = formatTimestamp(pinned);
  }
  const previous = options.force
    ? ({ version: 1, tasks: {} } satisfies Manifest)
    : await readManifest(paths.partitions);
  const reusable = new Map<string, ManifestEntry>();
  await Promise.all(
    tasks.map(async (task) => {
      const entry = previous.tasks[task.id];
      if (entry && entry.key === taskKey(task) && (await exists(task.partition))) {
        reusable.set(task.id, entry);
      }
    }),
  );
  const toRun = tasks.filter((t) => !reusable.has(t.id));
  await Promise.all(
    views.map((view) => mkdir(join(paths.partitions, view.file.name), { recursive: true })),
  );
  const planned = performance.now();
  options.onProgress?.({ kind: 'planned', total: tasks.length, reused: reusable.size, cutoffs });

  const results = new Map<string, TaskResult>();
  const executor =
    toRun.length === 0 ? undefined : await resolveExecutor(options.executor, options, instance);
  let done = reusable.size;
  let rows = [...reusable.values()].reduce((sum, e) => sum + e.rows, 0);
  try {
    if (executor) {
      await runAll(toRun, executor, signal, (task, result) => {
        results.set(task.id, result);
        rows += result.rows;
        options.onProgress?.({
          kind: 'task',
          task,
          result,
          done: ++done,
          total: tasks.length,
          rows,
        });
      });
    }
  } catch (error) {
    // Keep what finished for the next run; the outputs are not touched.
    await writeManifest(paths.partitions, merge(previous, tasks, results, paths.partitions));
    throw error;
  } finally {
    if (executor && typeof options.executor !== 'object') await executor.close();
  }
  const ran = performance.now();

  const records: PrepTaskRecord[] = tasks.map((task) => {
    const result = results.get(task.id);
    if (result) return record(task, result, false);
    return record(task, reusable.get(task.id)!, true);
  });
  options.onProgress?.({ kind: 'writing' });
  const { outputs, stamps } = await writeOutputs(views, tasks, paths.featureData, {
    instance,
    concurrency: Math.max(1, options.workers ?? 2),
    // A view with a computed task is rewritten even if its partition names are the same
    // (a missing partition recomputed under its old name has a new created_timestamp).
    previous: Object.fromEntries(
      Object.entries(previous.outputs ?? {}).filter(
        ([view]) => !toRun.some((t) => t.view === view),
      ),
    ),
  });
  const manifest: Manifest = { version: 1, tasks: {}, outputs: stamps };
  tasks.forEach((task, i) => {
    manifest.tasks[task.id] = entryFor(task, records[i]!, paths.partitions);
  });
  await writeManifest(paths.partitions, manifest);
  await removeStalePartitions(paths.partitions, views, new Set(tasks.map((t) => t.partition)));
  await options.onMaterialized?.(records);
  const finished = performance.now();
  return {
    transactions,
    cutoffs,
    outputs,
    tasks: records,
    reused: reusable.size,
    computed: results.size,
    executor: executor?.name ?? 'none',
    timings: {
      planMs: planned - started,
      tasksMs: ran - planned,
      writeMs: finished - ran,
      totalMs: finished - started,
    },
  };
}

/**
 * One task per (SQL file × cutoff); each file gets the parameters it declares: the cutoff,
 * values of `pool`, and the paths of named `inputs` (whose fingerprints key its reuse).
 */
export function planTasks(
  views: ViewSource[],
  cutoffs: string[],
  pool: Record<string, SqlParamValue>,
  inputs: Record<string, InputSource>,
  partitionsDir: string,
): Task[] {
  const tasks: Task[] = [];
  for (const cutoff of cutoffs) {
    for (const { file, keys } of views) {
      const params: Record<string, SqlParamValue> = {};
      const used: [string, InputSource][] = [];
      for (const p of file.parameters) {
        const input = inputs[p.name];
        if (input) used.push([p.name, input]);
        const value = p.name === 'cutoff' ? cutoff : (pool[p.name] ?? input?.path);
        if (value !== undefined) params[p.name] = value;
      }
      const partial = {
        sqlSha256: file.sha256,
        keys: [...keys],
        params,
        inputFingerprint: inputsFingerprint(used),
      };
      const key = taskKey(partial);
      tasks.push({
        id: `${file.name}@${cutoff}`,
        view: file.name,
        sqlPath: file.path,
        sql: file.sql,
        cutoff,
        ...partial,
        partition: join(
          partitionsDir,
          file.name,
          `${timestampStamp(cutoff)}-${key.slice(0, 12)}.parquet`,
        ),
      });
    }
  }
  return tasks;
}

/**
 * Run tasks with at most `executor.concurrency` in flight. The first failure (or an
 * abort) stops new tasks from starting and interrupts the running ones; once all lanes
 * have settled, the failure (or InterruptedError) is thrown.
 */
async function runAll(
  tasks: Task[],
  executor: TaskExecutor,
  signal: AbortSignal | undefined,
  onDone: (task: Task, result: TaskResult) => void,
): Promise<void> {
  if (executor.runTasks) {
    try {
      return await executor.runTasks(tasks, { signal, onDone });
    } catch (error) {
      throw signal?.aborted ? new InterruptedError('Failed to prep: interrupted') : error;
    }
  }
  let next = 0;
  let failure: unknown;
  const stop = (error: unknown) => {
    if (failure === undefined) {
      failure = error;
      void executor.interrupt();
    }
  };
  const onAbort = () => stop(new InterruptedError('Failed to prep: interrupted'));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const lane = async () => {
    while (failure === undefined && next < tasks.length) {
      const task = tasks[next++]!;
      try {
        onDone(task, await executor.run(task));
      } catch (error) {
        stop(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(executor.concurrency, tasks.length) }, lane));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure;
}

async function resolveExecutor(
  executor: ExecutorKind | TaskExecutor | undefined,
  options: ExecutorOptions,
  instance: DuckDBInstance,
): Promise<TaskExecutor> {
  if (typeof executor === 'object') return executor;
  const { workers, threads, memoryLimit, queue } = options;
  return createExecutor(executor ?? DEFAULT_EXECUTOR, {
    workers,
    threads,
    memoryLimit,
    queue,
    instance,
  });
}

function record(task: Task, result: Omit<TaskResult, 'id'>, reused: boolean): PrepTaskRecord {
  return {
    view: task.view,
    cutoff: task.cutoff,
    rows: result.rows,
    sqlSha256: task.sqlSha256,
    inputFingerprint: task.inputFingerprint,
    createdTimestamp: result.createdTimestamp,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    durationMs: result.durationMs,
    reused,
  };
}

function entryFor(task: Task, r: PrepTaskRecord, partitionsDir: string): ManifestEntry {
  return {
    key: taskKey(task),
    view: task.view,
    cutoff: task.cutoff,
    partition: relative(partitionsDir, task.partition),
    rows: r.rows,
    sqlSha256: r.sqlSha256,
    inputFingerprint: r.inputFingerprint,
    createdTimestamp: r.createdTimestamp,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
  };
}

function merge(
  previous: Manifest,
  tasks: Task[],
  results: Map<string, TaskResult>,
  partitionsDir: string,
): Manifest {
  const manifest: Manifest = { ...previous, tasks: { ...previous.tasks } };
  for (const task of tasks) {
    const result = results.get(task.id);
    if (!result) continue;
    manifest.tasks[task.id] = entryFor(task, record(task, result, false), partitionsDir);
  }
  return manifest;
}

/** Explicit cutoffs, checked and written the one way task ids and partitions use. */
function normalizeCutoffs(cutoffs: string[]): string[] {
  const micros = cutoffs.map((c) => {
    const value = parseTimestamp(c);
    if (value === undefined) {
      throw new InputError(`Failed to prep: cutoff ${JSON.stringify(c)} is not a timestamp`);
    }
    return value;
  });
  if (micros.length === 0) throw new InputError('Failed to prep: no cutoffs given');
  return [...new Set(micros)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(formatTimestamp);
}

function definedOnly(options: WindowOptions): WindowOptions {
  const out: WindowOptions = {};
  if (options.featureWindowDays !== undefined) out.featureWindowDays = options.featureWindowDays;
  if (options.labelWindowDays !== undefined) out.labelWindowDays = options.labelWindowDays;
  if (options.stepDays !== undefined) out.stepDays = options.stepDays;
  return out;
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
