import type { Task, TaskResult } from './task.js';
import type { TaskQueueOptions } from './task-queue.js';

/**
 * Runs tasks. `prep` calls `run` at most `concurrency` times at once and never shares
 * memory with the task, so a worker pool, one process's connections or (later) remote
 * workers over shared storage can stand behind it.
 */
export interface TaskExecutor {
  /** `'pool'`, `'in-process'`, … for logs and benchmarks. */
  readonly name: string;
  /** How many tasks it runs at once. */
  readonly concurrency: number;
  /** Run one task; rejects with a TaskError. */
  run(task: Task): Promise<TaskResult>;
  /**
   * Run a whole batch as one unit instead of task by task (the bullmq executor submits it
   * as one flow); `onDone` is called once per task as it finishes. Rejects with the first
   * TaskError; when `signal` aborts, the batch is cancelled and the promise rejects.
   * `prep` uses it instead of `run` when it exists.
   */
  runTasks?(
    tasks: Task[],
    options: {
      signal?: AbortSignal | undefined;
      onDone: (task: Task, result: TaskResult) => void;
    },
  ): Promise<void>;
  /** Interrupt every running query (they reject soon after); safe to call repeatedly. */
  interrupt(): Promise<void>;
  /** Release connections and threads. Interrupts first if anything still runs. */
  close(): Promise<void>;
}

export type ExecutorKind = 'pool' | 'in-process' | 'bullmq';

export interface ExecutorOptions {
  /** Concurrent tasks (workers or connections); default 2 (the cores of this design's machine). */
  workers?: number | undefined;
  /** DuckDB `threads` per instance; default 1 (concurrency × threads ≈ cores is fastest). */
  threads?: number | undefined;
  /** DuckDB `memory_limit` per instance. */
  memoryLimit?: string | undefined;
  /** The bullmq executor's Redis URL, key prefix and retries (`duckfeat worker`s run the tasks). */
  queue?: TaskQueueOptions | undefined;
}
