/**
 * The worker-thread entry of {@link WorkerPoolExecutor}: each worker holds its own DuckDB
 * instance and connection (opened on its first task) and runs tasks on it. An interrupt
 * arrives on a BroadcastChannel (the query runs off this thread, so the message is seen
 * mid-query) and is passed to `connection.interrupt()`, after which terminating the
 * worker is safe (terminating mid-query aborts the process: DUCKDB.md pitfall 1).
 */
import { BroadcastChannel, workerData } from 'node:worker_threads';
import type { DuckDBConnection } from '@duckdb/node-api';
import { createInstance } from '../duckdb/connection.js';
import { executeTask, type Task, type TaskResult } from './task.js';

export interface TaskWorkerData {
  threads: number;
  memoryLimit?: string | undefined;
  /** BroadcastChannel name on which the pool announces interrupts. */
  interruptChannel: string;
}

const data = workerData as TaskWorkerData;
let connection: Promise<DuckDBConnection> | undefined;

const channel = new BroadcastChannel(data.interruptChannel);
channel.onmessage = () => {
  void connection?.then((c) => c.interrupt());
};
channel.unref();

async function open(): Promise<DuckDBConnection> {
  const instance = await createInstance({ threads: data.threads, memoryLimit: data.memoryLimit });
  return instance.connect();
}

export default async function runTask(task: Task): Promise<TaskResult> {
  connection ??= open();
  return executeTask(task, await connection);
}
