/**
 * What the bullmq executor (the coordinator) and `duckfeat worker`s agree on: the Redis
 * URL and key prefix, the queue names, the job data, the cancel signal, and how a
 * connection is opened (fail fast, password never printed).
 */
import { Redis } from 'ioredis';
import { errorMessage, QueueError } from '../errors.js';
import type { MaterializeTask, MaterializeTaskResult } from '../online/materialize-task.js';
import { maskUrl, scrub, urlPassword } from '../util/mask-url.js';
import type { Task, TaskResult } from './task.js';

/** Where the queue lives unless `--redis` / `DUCKFEAT_QUEUE_URL` say otherwise. */
export const DEFAULT_QUEUE_URL = 'redis://127.0.0.1:6379';
/** BullMQ's key prefix unless `--queue-prefix` / `DUCKFEAT_QUEUE_PREFIX` say otherwise. */
export const DEFAULT_QUEUE_PREFIX = 'duckfeat';
/** The queue every worker takes tasks from (one per prefix, shared by all runs). */
export const TASK_QUEUE = 'tasks';

export interface TaskQueueOptions {
  /** `redis://[user:password@]host:port[/db]`; default `DUCKFEAT_QUEUE_URL`, else {@link DEFAULT_QUEUE_URL}. */
  url?: string | undefined;
  /** Key prefix: coordinators and workers with the same prefix share tasks. */
  prefix?: string | undefined;
  /** Attempts per task before the run fails (default 3). */
  attempts?: number | undefined;
  /** First retry delay in ms, doubled at each attempt (default 1000). */
  backoffMs?: number | undefined;
  /** Told things worth a line on stderr (no worker connected, …). */
  onNotice?: (message: string) => void;
}

/** What a job runs: a `prep` task (one SQL file at one cutoff) or one view's materialize run. */
export type QueuedTask = Task | MaterializeTask;

/** What a queued task gives back. */
export type QueuedResult<T extends QueuedTask> = T extends MaterializeTask
  ? MaterializeTaskResult
  : TaskResult;

/** A task job's data: the task and the run it belongs to. */
export interface TaskJobData {
  run: string;
  task: QueuedTask;
}

export function isMaterializeTask(task: QueuedTask): task is MaterializeTask {
  return 'kind' in task && task.kind === 'materialize';
}

/** A task in one line, for messages: `view @ cutoff`, or `materialize view (<= end)`. */
export function describeTask(task: QueuedTask): string {
  return isMaterializeTask(task)
    ? `materialize ${task.view} (<= ${task.end})`
    : `${task.view} @ ${task.cutoff}`;
}

/** The URL and prefix from the options, the environment, then the defaults. */
export function resolveQueue(options: Pick<TaskQueueOptions, 'url' | 'prefix'> = {}): {
  url: string;
  prefix: string;
} {
  return {
    url: options.url ?? process.env['DUCKFEAT_QUEUE_URL'] ?? DEFAULT_QUEUE_URL,
    prefix: options.prefix ?? process.env['DUCKFEAT_QUEUE_PREFIX'] ?? DEFAULT_QUEUE_PREFIX,
  };
}

/** The queue of a run's parent job: one per run, removed with the run. */
export function runQueueName(run: string): string {
  return `run-${run}`;
}

/** Set while a run is being cancelled: workers skip its tasks and interrupt running ones. */
export function cancelKey(prefix: string, run: string): string {
  return `${prefix}:${runQueueName(run)}:cancelled`;
}

/** Pub/sub channel on which a cancelled run's id is announced to running workers. */
export function cancelChannel(prefix: string): string {
  return `${prefix}:cancel`;
}

/**
 * Open a Redis connection and check it answers; rejects at once (no retry loop) with a
 * QueueError naming the masked URL. Once connected, it reconnects on its own.
 *
 * @example
 * const redis = await connectQueue('redis://127.0.0.1:6379');
 * try { await redis.ping(); } finally { redis.disconnect(); }
 */
export async function connectQueue(url: string): Promise<Redis> {
  let connected = false;
  let redis: Redis;
  try {
    redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: 5_000,
      // BullMQ's workers block on the connection: it must not give up on a command.
      maxRetriesPerRequest: null,
      retryStrategy: (times) => (connected ? Math.min(times * 200, 2_000) : null),
    });
  } catch (error) {
    throw queueError(url, error);
  }
  // Later errors surface through the calls that fail; without a listener ioredis prints them.
  let socketError: unknown;
  redis.on('error', (error) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    connected = true;
    return redis;
  } catch (error) {
    redis.disconnect();
    // connect() rejects with "Connection is closed."; the reason came as an 'error' event.
    throw queueError(url, socketError ?? error);
  }
}

function queueError(url: string, error: unknown): QueueError {
  return new QueueError(
    `Failed to connect to the task queue at ${maskUrl(url)}: ${scrub(errorMessage(error), urlPassword(url))}`,
    { cause: error },
  );
}
