import { InProcessExecutor } from './in-process-executor.js';
import type { ExecutorKind, ExecutorOptions, TaskExecutor } from './task-executor.js';
import { WorkerPoolExecutor } from './worker-pool-executor.js';

/** The executor `prep` uses unless told otherwise (the faster one in BENCHMARKS.md). */
export const DEFAULT_EXECUTOR: ExecutorKind = 'in-process';

/** Create an executor by kind; the caller closes it. */
export function createExecutor(
  kind: ExecutorKind,
  options: ExecutorOptions = {},
): Promise<TaskExecutor> {
  switch (kind) {
    case 'in-process':
      return InProcessExecutor.create(options);
    case 'pool':
      return WorkerPoolExecutor.create(options);
  }
}
