import { randomBytes } from 'node:crypto';
import { FlowProducer, type Job, Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { errorMessage, TaskError } from '../errors.js';
import { maskUrl } from '../util/mask-url.js';
import type { Task, TaskResult } from './task.js';
import type { TaskExecutor } from './task-executor.js';
import {
  cancelChannel,
  cancelKey,
  connectQueue,
  isMaterializeTask,
  type QueuedResult,
  type QueuedTask,
  resolveQueue,
  runQueueName,
  TASK_QUEUE,
  type TaskJobData,
  type TaskQueueOptions,
} from './task-queue.js';

/** How often a run checks its parent job's state besides listening to events. */
const POLL_MS = 1_000;
/** How long a cancelled run waits for workers to let go of its running tasks. */
const CANCEL_WAIT_MS = 10_000;

interface ActiveRun {
  tasks: QueuedTask[];
  reported: Set<number>;
  onDone: (task: QueuedTask, result: unknown) => void;
  onProgress: ((task: QueuedTask, progress: number) => void) | undefined;
  fail: (error: unknown) => void;
}

/**
 * Runs tasks on `duckfeat worker` processes, on this machine or others, through BullMQ on
 * Redis: a run is one flow, a parent job in the run's own queue (`run-<id>`) with one
 * child job per task in the shared `tasks` queue. Workers run the tasks on shared storage
 * with their own DuckDB; a failed task is retried with exponential backoff, and a task
 * whose worker died is taken over by another once its lock expires. The parent becomes
 * processable when every task is done, which ends the run; a task that fails its last
 * attempt (or an abort) cancels the run. The run's keys are removed when it ends.
 *
 * @example
 * const executor = await BullmqExecutor.create({ url: 'redis://127.0.0.1:6379' });
 * try { await prep({ paths, transactions, executor }); } finally { await executor.close(); }
 */
export class BullmqExecutor implements TaskExecutor {
  readonly name = 'bullmq';
  /** Every task of a run is queued at once; the workers decide how many run. */
  readonly concurrency = Number.POSITIVE_INFINITY;
  readonly #runs = new Map<string, ActiveRun>();
  readonly #cancels = new Set<() => Promise<void>>();

  private constructor(
    private readonly url: string,
    private readonly prefix: string,
    private readonly options: TaskQueueOptions,
    private readonly redis: Redis,
    private readonly eventsConnection: Redis,
    private readonly flows: FlowProducer,
    private readonly tasks: Queue,
    private readonly events: QueueEvents,
  ) {
    events.on('completed', ({ jobId, returnvalue }) => {
      const found = this.#find(jobId);
      if (found) this.#report(found.run, found.index, returnvalue);
    });
    events.on('progress', ({ jobId, data }) => {
      const found = this.#find(jobId);
      const task = found?.run.tasks[found.index];
      if (task && typeof data === 'number') found.run.onProgress?.(task, data);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const found = this.#find(jobId);
      const task = found?.run.tasks[found.index];
      if (!found || !task) return;
      // A task's own failure is already a TaskError message; BullMQ's (a task stalled
      // too often) is not, and gets the task's file and cutoff.
      const what = isMaterializeTask(task)
        ? `materialize ${task.view} (<= ${task.end})`
        : `run task ${task.view} at cutoff ${task.cutoff} (${task.sqlPath})`;
      found.run.fail(
        new TaskError(
          failedReason.startsWith('Failed to')
            ? failedReason
            : `Failed to ${what}: ${failedReason}`,
        ),
      );
    });
  }

  /** Connect to Redis (rejects at once with a QueueError naming the masked URL). */
  static async create(options: TaskQueueOptions = {}): Promise<BullmqExecutor> {
    const { url, prefix } = resolveQueue(options);
    const redis = await connectQueue(url);
    const eventsConnection = redis.duplicate();
    eventsConnection.on('error', () => {});
    const flows = new FlowProducer({ connection: redis, prefix });
    const tasks = new Queue(TASK_QUEUE, { connection: redis, prefix });
    const events = new QueueEvents(TASK_QUEUE, { connection: eventsConnection, prefix });
    // Failures surface through the calls that fail; unhandled 'error' events would crash.
    flows.on('error', () => {});
    tasks.on('error', () => {});
    events.on('error', () => {});
    await events.waitUntilReady();
    return new BullmqExecutor(url, prefix, options, redis, eventsConnection, flows, tasks, events);
  }

  run(task: Task): Promise<TaskResult> {
    return new Promise((resolve, reject) => {
      this.runTasks([task], { onDone: (_task, result) => resolve(result) }).catch(reject);
    });
  }

  /**
   * Run tasks as one flow: `prep`'s tasks, or `materialize`'s (one per view); `onProgress`
   * hears what a task reports while it runs (a materialize task: rows written so far).
   */
  async runTasks<T extends QueuedTask>(
    tasks: T[],
    options: {
      signal?: AbortSignal | undefined;
      onDone: (task: T, result: QueuedResult<T>) => void;
      onProgress?: ((task: T, progress: number) => void) | undefined;
    },
  ): Promise<void> {
    if (tasks.length === 0) return;
    const runId = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
    const queueName = runQueueName(runId);
    let settle!: {
      resolve: (values: Record<string, unknown>) => void;
      reject: (e: unknown) => void;
    };
    const finished = new Promise<Record<string, unknown>>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const run: ActiveRun = {
      tasks,
      reported: new Set(),
      onDone: options.onDone as ActiveRun['onDone'],
      onProgress: options.onProgress as ActiveRun['onProgress'],
      fail: settle.reject,
    };
    this.#runs.set(runId, run);
    // The parent job is processable once every task is done: processing it ends the run.
    const parents = new Worker(
      queueName,
      async (job: Job) => {
        settle.resolve(await job.getChildrenValues());
      },
      { connection: this.redis, prefix: this.prefix },
    );
    parents.on('error', () => {});
    const onAbort = () => settle.reject(new TaskError('Failed to run tasks: interrupted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let parent: Job | undefined;
    const poll = setInterval(() => {
      void parent?.getState().then(
        async (state) => {
          if (state !== 'failed') return;
          const failed = await parent!.getFailedChildrenValues();
          settle.reject(
            new TaskError(Object.values(failed)[0] ?? `Failed to run tasks: run ${runId} failed`),
          );
        },
        () => {},
      );
    }, POLL_MS);
    try {
      if (options.signal?.aborted) onAbort();
      const node = await this.flows.add({
        name: 'run',
        queueName,
        data: { tasks: tasks.length },
        opts: { jobId: runId },
        children: tasks.map((task, index) => ({
          name: task.view,
          queueName: TASK_QUEUE,
          data: { run: runId, task } satisfies TaskJobData,
          opts: {
            jobId: `${runId}-${index}`,
            attempts: this.options.attempts ?? 3,
            backoff: { type: 'exponential', delay: this.options.backoffMs ?? 1_000 },
            failParentOnFailure: true,
          },
        })),
      });
      parent = node.job;
      void this.#noticeIfNoWorkers();
      const values = await finished;
      // Events can be missed (a reconnect); the parent holds every task's result.
      for (const [key, value] of Object.entries(values)) {
        const index = Number(key.slice(key.lastIndexOf('-') + 1));
        this.#report(run, index, value);
      }
    } catch (error) {
      const cancel = this.#cancel(runId, parent);
      this.#cancels.add(cancel);
      await cancel().finally(() => this.#cancels.delete(cancel));
      throw error;
    } finally {
      clearInterval(poll);
      options.signal?.removeEventListener('abort', onAbort);
      this.#runs.delete(runId);
      await parents.close();
      await this.#removeRun(runId, parent);
    }
  }

  /** Cancels every run in flight (they reject soon after). */
  async interrupt(): Promise<void> {
    for (const run of this.#runs.values())
      run.fail(new TaskError('Failed to run tasks: interrupted'));
  }

  async close(): Promise<void> {
    await this.interrupt();
    while (this.#runs.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.events.close();
    await this.tasks.close();
    await this.flows.close();
    this.eventsConnection.disconnect();
    this.redis.disconnect();
  }

  /** Where this executor sends tasks, for messages (password masked). */
  describe(): string {
    return `${maskUrl(this.url)} (prefix ${this.prefix})`;
  }

  #find(jobId: string): { run: ActiveRun; index: number } | undefined {
    const dash = jobId.lastIndexOf('-');
    const run = this.#runs.get(jobId.slice(0, dash));
    return run ? { run, index: Number(jobId.slice(dash + 1)) } : undefined;
  }

  #report(run: ActiveRun, index: number, result: unknown): void {
    const task = run.tasks[index];
    if (!task || run.reported.has(index)) return;
    run.reported.add(index);
    run.onDone(task, result);
  }

  /**
   * Stop a run: tell workers (a key for tasks not yet started, a message for running
   * ones, which interrupt their query), remove the tasks not started, and wait a while
   * for the running ones to be let go of so the whole flow can be removed.
   */
  #cancel(runId: string, parent: Job | undefined): () => Promise<void> {
    return async () => {
      try {
        await this.redis.set(cancelKey(this.prefix, runId), '1', 'EX', 86_400);
        await this.redis.publish(cancelChannel(this.prefix), runId);
        if (!parent) return;
        await parent.removeUnprocessedChildren();
        const deadline = Date.now() + CANCEL_WAIT_MS;
        while (Date.now() < deadline) {
          const active = await this.tasks.getActive();
          if (!active.some((job) => job.id?.startsWith(`${runId}-`))) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } catch {
        // Best effort: the run is failing already; its keys expire or are removed below.
      }
    };
  }

  /**
   * Remove the flow (parent and tasks) and the run's queue. A task some worker still
   * holds cannot be removed: the cancel key then stays (it expires in a day).
   */
  async #removeRun(runId: string, parent: Job | undefined): Promise<void> {
    const queue = new Queue(runQueueName(runId), { connection: this.redis, prefix: this.prefix });
    queue.on('error', () => {});
    try {
      const removed = parent ? await queue.remove(runId, { removeChildren: true }) : 1;
      if (removed !== 1) {
        this.options.onNotice?.(
          `run ${runId}: a worker still holds one of its tasks; it is left to finish and its keys to expire`,
        );
        return;
      }
      await queue.obliterate({ force: true });
      await this.redis.del(cancelKey(this.prefix, runId));
    } catch (error) {
      this.options.onNotice?.(
        `could not remove run ${runId} from the task queue: ${errorMessage(error)}`,
      );
    } finally {
      await queue.close();
    }
  }

  async #noticeIfNoWorkers(): Promise<void> {
    try {
      if ((await this.tasks.getWorkersCount()) === 0) {
        this.options.onNotice?.(
          `no duckfeat worker is connected to ${this.describe()}: the tasks wait until one starts`,
        );
      }
    } catch {
      // CLIENT LIST may be disabled on a managed Redis: no notice then.
    }
  }
}
