import { InProcessExecutor, type InProcessExecutorOptions } from './in-process-executor.js';
import type { ExecutorKind, TaskExecutor } from './task-executor.js';

/** The executor `prep` uses unless told otherwise (the faster one in BENCHMARKS.md). */
export const DEFAULT_EXECUTOR: ExecutorKind = 'in-process';

/**
 * Create an executor by kind; the caller closes it. `options.instance` is used by the
 * in-process executor only (worker threads cannot share an instance: DUCKDB.md pitfall 3);
 * `options.queue` by the bullmq executor only (its tasks run in `duckfeat worker`s).
 */
export async function createExecutor(
  kind: ExecutorKind,
  options: InProcessExecutorOptions = {},
): Promise<TaskExecutor> {
  switch (kind) {
    case 'in-process':
      return InProcessExecutor.create(options);
    case 'bullmq': {
      // Loaded only when asked for: bullmq and ioredis add ~100 ms to a run's start-up.
      const { BullmqExecutor } = await import('./bullmq-executor.js');
      return BullmqExecutor.create(options.queue);
    }
    case 'pool': {
      // Loaded only when asked for too: piscina is ~50 ms of CPU the default executor skips.
      const { WorkerPoolExecutor } = await import('./worker-pool-executor.js');
      const { instance: _unused, ...poolOptions } = options;
      return WorkerPoolExecutor.create(poolOptions);
    }
  }
}
