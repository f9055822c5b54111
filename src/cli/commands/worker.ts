import type { TaskWorkerEvent } from '../../engine/bullmq-worker.js';
import type { describeTask as DescribeTask } from '../../engine/task-queue.js';
import { InterruptedError } from '../../errors.js';
import { action } from '../command-context.js';
import { positiveInt } from '../option-parsers.js';
import type { RegisterCommand } from './index.js';

interface WorkerCommandOptions {
  redis?: string;
  queuePrefix?: string;
  concurrency: number;
  threads?: number;
  memoryLimit?: string;
  lockDuration: number;
  stalledInterval: number;
}

export const registerWorker: RegisterCommand = (program) => {
  program
    .command('worker')
    .description(
      'Run the tasks of `duckfeat prep --executor bullmq` and `duckfeat materialize ' +
        '--executor bullmq` from a Redis queue, on this or any machine that sees the same ' +
        'storage at the same paths (transactions, partitions, feature data) and the online store, ' +
        'each with its own DuckDB. Runs until Ctrl-C (running tasks finish; twice: they are ' +
        'interrupted and go back to the queue).',
    )
    .option('--redis <url>', 'Redis URL (default: DUCKFEAT_QUEUE_URL, else redis://127.0.0.1:6379)')
    .option(
      '--queue-prefix <name>',
      'key prefix shared with prep (default: DUCKFEAT_QUEUE_PREFIX, else duckfeat)',
    )
    .option('--concurrency <n>', 'tasks run at once, one DuckDB connection each', positiveInt, 1)
    .option('--threads <n>', 'DuckDB threads (default: the concurrency)', positiveInt)
    .option('--memory-limit <size>', "DuckDB's memory_limit, e.g. 4GB")
    .option(
      '--lock-duration <ms>',
      "a task's lock; if this worker dies, another takes its task once the lock expires",
      positiveInt,
      30_000,
    )
    .option(
      '--stalled-interval <ms>',
      'how often to look for tasks whose worker died',
      positiveInt,
      30_000,
    )
    .action(
      action<WorkerCommandOptions>(async (opts, ctx) => {
        const [{ startTaskWorker }, { describeTask }] = await Promise.all([
          import('../../engine/bullmq-worker.js'),
          import('../../engine/task-queue.js'),
        ]);
        const worker = await startTaskWorker({
          url: opts.redis,
          prefix: opts.queuePrefix,
          concurrency: opts.concurrency,
          threads: opts.threads,
          memoryLimit: opts.memoryLimit,
          lockDurationMs: opts.lockDuration,
          stalledIntervalMs: opts.stalledInterval,
          onEvent: (event) => process.stderr.write(`${describeEvent(event, describeTask)}\n`),
        });
        process.stderr.write(
          `worker ${process.pid}: taking tasks from ${worker.queue.url} (prefix ${worker.queue.prefix}), ${opts.concurrency} at a time\n`,
        );
        let signals = 0;
        await new Promise<void>((resolve, reject) => {
          const stop = () => {
            signals++;
            if (signals === 1) {
              process.stderr.write(`worker ${process.pid}: stopping after the running tasks\n`);
              worker.close().then(resolve, reject);
            } else {
              process.stderr.write(`worker ${process.pid}: interrupting the running tasks\n`);
              worker
                .close({ force: true })
                .then(
                  () => reject(new InterruptedError('Failed to run tasks: interrupted')),
                  reject,
                );
            }
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        ctx.out.debug(`worker ${process.pid}: stopped`);
      }),
    );
};

function describeEvent(event: TaskWorkerEvent, describeTask: typeof DescribeTask): string {
  switch (event.kind) {
    case 'started':
      return `started ${describeTask(event.task)} (run ${event.run}, attempt ${event.attempt})`;
    case 'completed':
      return `completed ${describeTask(event.task)}: ${event.result.rows.toLocaleString('en-US')} rows in ${Math.round(event.result.durationMs)} ms`;
    case 'failed':
      return `failed ${describeTask(event.task)} (attempt ${event.attempt} of ${event.attempts}): ${event.error}`;
    case 'stalled':
      return `task ${event.jobId} stalled (its worker stopped renewing the lock): back in the queue`;
  }
}
