import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createInstance } from '../duckdb/connection.js';
import { TaskError } from '../errors.js';
import { executeTask, type Task, type TaskResult } from './task.js';
import type { ExecutorOptions, TaskExecutor } from './task-executor.js';

export interface InProcessExecutorOptions extends ExecutorOptions {
  /**
   * Open the connections on this instance (the caller keeps and closes it), e.g. the one
   * `prep` planned on, instead of starting a new one.
   */
  instance?: DuckDBInstance;
}

/**
 * Runs tasks on one DuckDB instance (`threads=1` by default) with one connection per
 * concurrent task. Queries run on libuv's thread pool, so connections work in parallel
 * while the main thread stays free (DUCKDB.md: as fast as a worker pool, without the
 * pool's start-up or per-worker memory).
 *
 * @example
 * const executor = await InProcessExecutor.create({ workers: 2 });
 * try { await executor.run(task); } finally { await executor.close(); }
 */
export class InProcessExecutor implements TaskExecutor {
  readonly name = 'in-process';
  readonly #free: DuckDBConnection[];
  readonly #busy = new Set<DuckDBConnection>();
  readonly #waiting: ((connection: DuckDBConnection) => void)[] = [];
  readonly #running = new Set<Promise<TaskResult>>();
  #closed = false;

  private constructor(
    readonly concurrency: number,
    private readonly instance: DuckDBInstance,
    private readonly ownsInstance: boolean,
    connections: DuckDBConnection[],
  ) {
    this.#free = connections;
  }

  static async create(options: InProcessExecutorOptions = {}): Promise<InProcessExecutor> {
    const workers = Math.max(1, options.workers ?? 2);
    const instance =
      options.instance ??
      (await createInstance({ threads: options.threads ?? 1, memoryLimit: options.memoryLimit }));
    const connections: DuckDBConnection[] = [];
    for (let i = 0; i < workers; i++) connections.push(await instance.connect());
    return new InProcessExecutor(workers, instance, !options.instance, connections);
  }

  async run(task: Task): Promise<TaskResult> {
    const running = this.#run(task);
    this.#running.add(running);
    try {
      return await running;
    } finally {
      this.#running.delete(running);
    }
  }

  async #run(task: Task): Promise<TaskResult> {
    const connection = await this.#acquire();
    try {
      if (this.#closed) {
        throw new TaskError(`Failed to run task ${task.id}: the executor is closed`);
      }
      this.#busy.add(connection);
      return await executeTask(task, connection);
    } finally {
      this.#busy.delete(connection);
      this.#release(connection);
    }
  }

  async interrupt(): Promise<void> {
    for (const connection of this.#busy) connection.interrupt();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.interrupt();
    // Closing a connection under a running query leaves that query's promise pending for
    // ever: wait until every task (and every task queued for a connection) has settled.
    await Promise.allSettled(this.#running);
    for (const connection of this.#free) connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }

  #acquire(): Promise<DuckDBConnection> {
    const connection = this.#free.pop();
    if (connection) return Promise.resolve(connection);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(connection: DuckDBConnection): void {
    const next = this.#waiting.shift();
    if (next) next(connection);
    else this.#free.push(connection);
  }
}
