import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createInstance } from '../duckdb/connection.js';
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
    const connection = await this.#acquire();
    this.#busy.add(connection);
    try {
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
    await this.interrupt();
    for (const connection of [...this.#free, ...this.#busy]) connection.closeSync();
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
