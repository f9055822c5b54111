import type { DuckDBConnection } from '@duckdb/node-api';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { createInstance } from '../duckdb/connection.js';
import { errorMessage } from '../errors.js';
import type { MaterializeTaskResult } from '../online/materialize-task.js';
import { maskUrl } from '../util/mask-url.js';
import { executeTask, type TaskResult } from './task.js';
import {
  cancelChannel,
  cancelKey,
  connectQueue,
  isMaterializeTask,
  type QueuedTask,
  resolveQueue,
  TASK_QUEUE,
  type TaskJobData,
} from './task-queue.js';

export interface TaskWorkerOptions {
  /** Redis URL; default `DUCKFEAT_QUEUE_URL`, else `redis://127.0.0.1:6379`. */
  url?: string | undefined;
  /** Key prefix shared with the coordinators; default `DUCKFEAT_QUEUE_PREFIX`, else `duckfeat`. */
  prefix?: string | undefined;
  /** Tasks run at once, one DuckDB connection each (default 1). */
  concurrency?: number | undefined;
  /** DuckDB `threads` of the worker's instance (default 1 per concurrent task). */
  threads?: number | undefined;
  /** DuckDB `memory_limit`. */
  memoryLimit?: string | undefined;
  /**
   * How long a task's lock lasts (ms, default 30 000); it is renewed every half of it while
   * the task runs. A worker that dies loses its task to another worker after at most
   * `lockDurationMs + stalledIntervalMs`.
   */
  lockDurationMs?: number | undefined;
  /** How often workers look for tasks whose lock expired (ms, default 30 000). */
  stalledIntervalMs?: number | undefined;
  /** Told what happens, for log lines. */
  onEvent?: (event: TaskWorkerEvent) => void;
}

type WorkerResult = TaskResult | MaterializeTaskResult;

export type TaskWorkerEvent =
  | { kind: 'started'; task: QueuedTask; run: string; attempt: number }
  | { kind: 'completed'; task: QueuedTask; run: string; result: WorkerResult }
  | {
      kind: 'failed';
      task: QueuedTask;
      run: string;
      attempt: number;
      attempts: number;
      error: string;
    }
  | { kind: 'stalled'; jobId: string };

export interface TaskWorker {
  /** Where the worker takes tasks from (password masked). */
  readonly queue: { url: string; prefix: string };
  /**
   * Stop: take no new task; running ones finish (or, with `force`, are interrupted and go
   * back to the queue for another worker). Then release Redis and DuckDB.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * Start a worker that takes tasks from the bullmq executor's queue and runs each on one
 * connection of its own DuckDB instance: `prep`'s tasks write partitions on the shared
 * storage the task names (the same paths on every machine), `materialize`'s write one
 * view's rows into the online store the task names (reporting the rows written as the
 * job's progress). A cancelled run's running tasks are
 * interrupted (a pub/sub message) and its queued ones skipped (a key).
 *
 * @example
 * const worker = await startTaskWorker({ url: 'redis://10.0.0.5:6379', concurrency: 2 });
 * process.once('SIGTERM', () => void worker.close());
 */
export async function startTaskWorker(options: TaskWorkerOptions = {}): Promise<TaskWorker> {
  const { url, prefix } = resolveQueue(options);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const redis = await connectQueue(url);
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  const instance = await createInstance({
    threads: options.threads ?? concurrency,
    memoryLimit: options.memoryLimit,
  });
  const free: DuckDBConnection[] = [];
  for (let i = 0; i < concurrency; i++) free.push(await instance.connect());
  const running = new Map<string, { run: string; connection: DuckDBConnection }>();
  const cancelled = new Set<string>();

  await subscriber.subscribe(cancelChannel(prefix));
  subscriber.on('message', (_channel: string, run: string) => {
    cancelled.add(run);
    for (const entry of running.values()) if (entry.run === run) entry.connection.interrupt();
  });

  const isCancelled = async (run: string) =>
    cancelled.has(run) || (await redis.exists(cancelKey(prefix, run))) === 1;

  const worker = new Worker<TaskJobData, WorkerResult>(
    TASK_QUEUE,
    async (job: Job<TaskJobData, WorkerResult>) => {
      const { run, task } = job.data;
      if (await isCancelled(run)) throw new UnrecoverableError(`run ${run} was cancelled`);
      const connection = free.pop();
      if (!connection) throw new Error('no free DuckDB connection (concurrency exceeded)');
      running.set(job.id!, { run, connection });
      options.onEvent?.({ kind: 'started', task, run, attempt: job.attemptsMade + 1 });
      try {
        if (!isMaterializeTask(task)) return await executeTask(task, connection);
        // Loaded on the first materialize task: prep-only workers never load the stores.
        const { runMaterializeTask } = await import('../online/materialize-task.js');
        return await runMaterializeTask(task, connection, (rows) => {
          job.updateProgress(rows).catch(() => {});
        });
      } catch (error) {
        if (await isCancelled(run)) throw new UnrecoverableError(`run ${run} was cancelled`);
        throw error;
      } finally {
        running.delete(job.id!);
        free.push(connection);
      }
    },
    {
      connection: redis,
      prefix,
      concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // A task whose worker died is given to another one; twice is a pattern, not bad luck.
      maxStalledCount: 2,
    },
  );
  worker.on('error', () => {});
  worker.on('completed', (job, result) => {
    options.onEvent?.({ kind: 'completed', task: job.data.task, run: job.data.run, result });
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    options.onEvent?.({
      kind: 'failed',
      task: job.data.task,
      run: job.data.run,
      attempt: job.attemptsMade,
      attempts: job.opts.attempts ?? 1,
      error: errorMessage(error),
    });
  });
  worker.on('stalled', (jobId) => options.onEvent?.({ kind: 'stalled', jobId }));
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  return {
    queue: { url: maskUrl(url), prefix },
    close({ force = false } = {}) {
      if (force) for (const entry of running.values()) entry.connection.interrupt();
      closing ??= (async () => {
        await worker.close(force);
        // Closing a connection under a running query leaves its promise pending for ever.
        while (running.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
        for (const connection of free) connection.closeSync();
        instance.closeSync();
        await subscriber.quit().catch(() => subscriber.disconnect());
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
