import { InvalidArgumentError } from 'commander';
import { DEFAULT_WINDOWS } from '../../engine/cutoffs.js';
import type { PrepResult } from '../../engine/prep.js';
import type { ExecutorKind } from '../../engine/task-executor.js';
import type { TransactionsSource } from '../../engine/transactions.js';
import { action, type CommandContext } from '../command-context.js';
import { positiveInt } from '../option-parsers.js';
import type { RegisterCommand } from './index.js';

interface PrepCommandOptions {
  input?: string;
  transactions?: string;
  workers: number;
  executor?: ExecutorKind;
  threads: number;
  redis?: string;
  queuePrefix?: string;
  attempts: number;
  force: boolean;
  featureWindowDays: number;
  labelWindowDays: number;
  stepDays: number;
  registry: boolean;
  json?: boolean;
}

export const registerPrep: RegisterCommand = (program) => {
  program
    .command('prep')
    .description(
      'Compute every feature view and the labels for every rolling cutoff: ingest the input ' +
        '(cached), run each SQL file under sql/features and sql/labels once per cutoff as a ' +
        'task, and write feature_store/data/<view>.parquet. Unchanged tasks are reused.',
    )
    .option(
      '--input <path>',
      'raw input (.xlsx, .csv, .parquet); default data/input/Online Retail.xlsx',
    )
    .option('--transactions <path>', 'use an already cleaned transactions parquet (skips ingest)')
    .option('--workers <n>', 'tasks run at once (connections or worker threads)', positiveInt, 2)
    .option(
      '--executor <kind>',
      `where tasks run: "in-process" (connections on one DuckDB instance; the default), "pool" (worker threads, one DuckDB each) or "bullmq" (\`duckfeat worker\` processes on any machine, through Redis)`,
      (value: string) => {
        if (value !== 'pool' && value !== 'in-process' && value !== 'bullmq') {
          throw new InvalidArgumentError('expected "in-process", "pool" or "bullmq"');
        }
        return value;
      },
    )
    .option(
      '--redis <url>',
      'bullmq: Redis URL (default: DUCKFEAT_QUEUE_URL, else redis://127.0.0.1:6379)',
    )
    .option(
      '--queue-prefix <name>',
      'bullmq: key prefix shared with the workers (default: DUCKFEAT_QUEUE_PREFIX, else duckfeat)',
    )
    .option('--attempts <n>', 'bullmq: attempts per task before the run fails', positiveInt, 3)
    .option('--threads <n>', 'DuckDB threads per connection instance', positiveInt, 1)
    .option('--force', 'recompute every task, reusing nothing', false)
    .option(
      '--feature-window-days <n>',
      'feature window length',
      positiveInt,
      DEFAULT_WINDOWS.featureWindowDays,
    )
    .option(
      '--label-window-days <n>',
      'label window length',
      positiveInt,
      DEFAULT_WINDOWS.labelWindowDays,
    )
    .option('--step-days <n>', 'days between cutoffs', positiveInt, DEFAULT_WINDOWS.stepDays)
    .option(
      '--no-registry',
      'do not record the computed materializations in the registry (by default they are queued under <repo>/.registry-pending/ and recorded at the next registry open)',
    )
    .option('--json', 'print the result as JSON on stdout', false)
    .action(
      action<PrepCommandOptions>(async (opts, ctx) => {
        // Loaded here, not at the top: `duckfeat --help` should not load DuckDB and PGlite.
        const [{ prep }, { createProgressReporter }, { queueMaterializations }] = await Promise.all(
          [
            import('../../engine/prep.js'),
            import('../../engine/progress.js'),
            import('../../registry/pending-materializations.js'),
          ],
        );
        const transactions = await resolveTransactions(opts, ctx);
        const controller = new AbortController();
        const onSigint = () => controller.abort();
        process.once('SIGINT', onSigint);
        const progress = createProgressReporter({ quiet: opts.json });
        try {
          const result = await prep({
            paths: ctx.paths,
            transactions,
            ...(opts.executor ? { executor: opts.executor } : {}),
            workers: opts.workers,
            threads: opts.threads,
            queue: {
              url: opts.redis,
              prefix: opts.queuePrefix,
              attempts: opts.attempts,
              onNotice: (message) => ctx.out.warn(message),
            },
            force: opts.force,
            featureWindowDays: opts.featureWindowDays,
            labelWindowDays: opts.labelWindowDays,
            stepDays: opts.stepDays,
            signal: controller.signal,
            onProgress: progress.onProgress,
          });
          progress.stop();
          // Queued, not recorded: opening the registry (loading the repository, starting
          // PGlite) costs more than the features themselves on the real data. The next
          // registry open (apply, list, train, …) records them.
          const computed = result.tasks.filter((t) => !t.reused);
          const started = performance.now();
          const queued = opts.registry
            ? await queueMaterializations(ctx.paths.repo, computed)
            : undefined;
          const registry = queued
            ? { queued: computed.length, file: queued, ms: performance.now() - started }
            : null;
          if (opts.json) ctx.out.data({ ...result, registry });
          else printSummary(result, registry, ctx);
        } finally {
          progress.stop();
          process.removeListener('SIGINT', onSigint);
        }
      }),
    );
};

async function resolveTransactions(
  opts: PrepCommandOptions,
  ctx: CommandContext,
): Promise<TransactionsSource> {
  if (opts.transactions) {
    const { fingerprintFile } = await import('../../engine/transactions.js');
    return fingerprintFile(opts.transactions);
  }
  const { ingest } = await import('../../ingest/ingest.js');
  const started = performance.now();
  const result = await ingest({ input: opts.input ?? ctx.paths.defaultInput, paths: ctx.paths });
  ctx.out.info(
    `ingest: ${result.rows.toLocaleString('en-US')} transactions, ${result.customers.toLocaleString('en-US')} customers${result.cached ? ' (cached)' : ''} in ${ms(performance.now() - started)}`,
  );
  return { path: result.path, fingerprint: result.fingerprint };
}

function printSummary(
  result: PrepResult,
  registry: { queued: number; file: string } | null,
  ctx: CommandContext,
): void {
  const views = result.outputs.map((o) => o.view);
  const width = Math.max(...views.map((v) => v.length), 8);
  ctx.out.info(`\n${'cutoff'.padEnd(20)} ${views.map((v) => v.padStart(width)).join(' ')}`);
  for (const cutoff of result.cutoffs) {
    const cells = views.map((view) => {
      const r = result.tasks.find((t) => t.view === view && t.cutoff === cutoff);
      return (r ? r.rows.toLocaleString('en-US') : '-').padStart(width);
    });
    ctx.out.info(`${cutoff.padEnd(20)} ${cells.join(' ')}`);
  }
  for (const o of result.outputs) {
    ctx.out.info(`wrote ${o.path} (${o.rows.toLocaleString('en-US')} rows)`);
  }
  const t = result.timings;
  ctx.out.info(
    `${result.tasks.length} tasks: ${result.computed} computed (${result.executor}), ${result.reused} reused | plan ${ms(t.planMs)}, tasks ${ms(t.tasksMs)}, write ${ms(t.writeMs)}, total ${ms(t.totalMs)}`,
  );
  if (registry) {
    ctx.out.info(
      `registry: ${registry.queued} materializations queued in ${registry.file}; recorded at the next registry open (duckfeat apply, list, train, …)`,
    );
  }
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}
