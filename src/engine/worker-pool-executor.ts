import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { errorMessage, TaskError } from '../errors.js';
import type { Task, TaskResult } from './task.js';
import type { ExecutorOptions, TaskExecutor } from './task-executor.js';
import type { TaskWorkerData } from './task-worker.js';

/**
 * Runs tasks on a piscina pool of worker threads, each with its own DuckDB instance
 * (`threads=1` by default) and connection: DESIGN.md's execution model, and the shape a
 * distributed executor keeps (tasks are plain objects, nothing is shared).
 *
 * Under vitest/tsx this module is a `.ts` file, so the worker is too and is started with
 * `--import tsx`; from the compiled `dist/` both are `.js`.
 *
 * @example
 * const executor = await WorkerPoolExecutor.create({ workers: 2 });
 * try { await executor.run(task); } finally { await executor.close(); }
 */
export class WorkerPoolExecutor implements TaskExecutor {
  readonly name = 'pool';
  #running = 0;

  private constructor(
    readonly concurrency: number,
    private readonly pool: Piscina,
    private readonly channel: BroadcastChannel,
  ) {}

  static async create(options: ExecutorOptions = {}): Promise<WorkerPoolExecutor> {
    const workers = Math.max(1, options.workers ?? 2);
    const fromSource = import.meta.url.endsWith('.ts');
    const interruptChannel = `duckfeat-interrupt-${randomUUID()}`;
    const workerData: TaskWorkerData = {
      threads: options.threads ?? 1,
      memoryLimit: options.memoryLimit,
      interruptChannel,
    };
    const pool = new Piscina({
      filename: new URL(`./task-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      execArgv: fromSource ? ['--import', 'tsx'] : [],
      workerData,
    });
    return new WorkerPoolExecutor(workers, pool, new BroadcastChannel(interruptChannel));
  }

  async run(task: Task): Promise<TaskResult> {
    this.#running++;
    try {
      return (await this.pool.run(task)) as TaskResult;
    } catch (error) {
      // Errors cross the thread boundary as plain Errors: restore the class.
      throw error instanceof TaskError ? error : new TaskError(errorMessage(error));
    } finally {
      this.#running--;
    }
  }

  async interrupt(): Promise<void> {
    this.channel.postMessage('interrupt');
  }

  async close(): Promise<void> {
    if (this.#running > 0) {
      await this.interrupt();
      while (this.#running > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.channel.close();
    await this.pool.destroy();
  }
}
