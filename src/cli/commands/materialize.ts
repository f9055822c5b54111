import { type Command, InvalidArgumentError } from 'commander';
import type { MaterializeResult } from '../../online/materialize.js';
import { action, type CommandContext } from '../command-context.js';
import { positiveInt } from '../option-parsers.js';
import type { RegisterCommand } from './index.js';

interface MaterializeCommandOptions {
  end?: string;
  views?: string;
  json?: boolean;
  executor?: 'in-process' | 'bullmq';
  redis?: string;
  queuePrefix?: string;
  attempts: number;
}

export const registerMaterialize: RegisterCommand = (program) => {
  withOptions(
    program
      .command('materialize')
      .description(
        'Copy the latest row per entity key of each feature view (feature timestamp <= --end, ' +
          "retrieval's tie rule) into the online store (DUCKFEAT_ONLINE_URL, the config's " +
          'onlineStore, or the embedded store under the repository), and record the interval.',
      )
      .option('--views <a,b>', 'only these feature views (comma-separated)'),
    false,
  );
  withOptions(
    program
      .command('materialize-incremental')
      .description(
        'Like materialize, for the rows newer than the last completed run of each view into ' +
          'the same store (feature timestamp in (last end, --end]).',
      ),
    true,
  );
};

function withOptions(command: Command, incremental: boolean): void {
  command
    .option('--end <timestamp>', 'newest feature timestamp to copy (naive = UTC); default: now')
    .option(
      '--executor <kind>',
      'where each view runs: "in-process" (the default) or "bullmq" (one task per view, run by `duckfeat worker` processes through Redis)',
      (value: string) => {
        if (value !== 'in-process' && value !== 'bullmq') {
          throw new InvalidArgumentError('expected "in-process" or "bullmq"');
        }
        return value;
      },
    )
    .option(
      '--redis <url>',
      'bullmq: Redis URL of the task queue (default: DUCKFEAT_QUEUE_URL, else redis://127.0.0.1:6379)',
    )
    .option(
      '--queue-prefix <name>',
      'bullmq: key prefix shared with the workers (default: DUCKFEAT_QUEUE_PREFIX, else duckfeat)',
    )
    .option('--attempts <n>', 'bullmq: attempts per view before the run fails', positiveInt, 3)
    .option('--json', 'print the result as JSON on stdout', false)
    .action(
      action<MaterializeCommandOptions>(async (opts, ctx) => {
        const [{ materialize }, { createMaterializeReporter }] = await Promise.all([
          import('../../online/materialize.js'),
          import('../../online/materialize-progress.js'),
        ]);
        const progress = createMaterializeReporter({
          quiet: opts.json ?? false,
          verbose: ctx.verbose,
        });
        const controller = new AbortController();
        const onSigint = () => controller.abort();
        process.once('SIGINT', onSigint);
        try {
          const result = await materialize({
            paths: ctx.paths,
            incremental,
            ...(opts.executor ? { executor: opts.executor } : {}),
            queue: {
              url: opts.redis,
              prefix: opts.queuePrefix,
              attempts: opts.attempts,
              onNotice: (message) => ctx.out.warn(message),
            },
            signal: controller.signal,
            ...(opts.end !== undefined ? { end: opts.end } : {}),
            ...(opts.views ? { views: opts.views.split(',').map((v) => v.trim()) } : {}),
            onProgress: progress.onProgress,
          });
          progress.stop();
          if (opts.json) ctx.out.data(result);
          else printSummary(result, ctx);
        } finally {
          progress.stop();
          process.removeListener('SIGINT', onSigint);
        }
      }),
    );
}

function printSummary(result: MaterializeResult, ctx: CommandContext): void {
  const rows = result.views.reduce((sum, v) => sum + v.rows, 0);
  ctx.out.info(
    `materialized ${result.views.length} views, ${rows.toLocaleString('en-US')} entity rows into ${result.store} in ${Math.round(result.totalMs)} ms`,
  );
}
