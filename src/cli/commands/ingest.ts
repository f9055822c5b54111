import { existsSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { InputError } from '../../errors.js';
import type { IngestOptions, IngestResult } from '../../ingest/ingest.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface IngestCommandOptions {
  input?: string;
  out?: string;
  force: boolean;
  json?: boolean;
}

type ProgressEvent = Parameters<NonNullable<IngestOptions['onProgress']>>[0];

const PHASES: Record<string, string> = {
  fingerprint: 'hashing the input',
  read: 'reading the workbook',
  validate: 'checking cells',
  clean: 'cleaning and sorting',
  cached: 'input unchanged: reusing the cached result',
};

/**
 * Ingest progress: a bar on stderr for the byte-counted phases on a TTY; otherwise one plain
 * line per phase through `info` (stdout), so stderr holds nothing but errors.
 */
function progressRenderer(verbose: boolean, info: (line: string) => void) {
  const tty = Boolean(process.stderr.isTTY);
  let bar: cliProgress.SingleBar | undefined;
  let phase = '';
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    onProgress(event: ProgressEvent) {
      if (event.phase !== phase) {
        stopBar();
        phase = event.phase;
        const label = PHASES[phase];
        if (!label) return;
        if (tty && event.total !== undefined && event.total > 8 << 20) {
          bar = new cliProgress.SingleBar(
            {
              stream: process.stderr,
              format: `  ${label} {bar} {percentage}% | {eta_formatted}`,
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(event.total, event.done ?? 0);
        } else if (tty || verbose || phase === 'read') {
          info(`  ${label}`);
        }
      } else if (bar && event.done !== undefined) {
        bar.update(event.done);
      }
    },
    stop: stopBar,
  };
}

function summary(result: IngestResult): string {
  const rows = result.rows.toLocaleString('en-US');
  const customers = result.customers.toLocaleString('en-US');
  const from = result.cached ? ' (reused the cache: input unchanged)' : '';
  return `${rows} transactions, ${customers} customers, ${result.minInvoiceDate} … ${result.maxInvoiceDate} → ${result.path}${from}`;
}

export const registerIngest: RegisterCommand = (program) => {
  program
    .command('ingest')
    .description(
      'Clean raw Online Retail transactions (.xlsx, .csv or .parquet; Online Retail or ' +
        'Online Retail II columns) with sql/ingest/*.sql into a parquet sorted by invoice date. ' +
        'The result is cached by the input content hash: an unchanged input is not parsed again. ' +
        'A file with unreadable Quantity, UnitPrice, InvoiceDate or CustomerID cells is rejected.',
    )
    .option('--input <path>', 'raw input file; default data/input/Online Retail.xlsx')
    .option('--out <path>', 'cleaned parquet to write; default data/processed/transactions.parquet')
    .option('--force', 'parse the input again even when the cache has it', false)
    .option('--json', 'print the result as JSON on stdout')
    .action(
      action<IngestCommandOptions>(async (options, ctx) => {
        if (!options.input && !existsSync(ctx.paths.defaultInput)) {
          throw new InputError(
            `Failed to ingest: no input given and no ${ctx.paths.defaultInput}; put the UCI workbook there, pass --input PATH, or run \`duckfeat synth\` for synthetic data`,
          );
        }
        const { ingest } = await import('../../ingest/ingest.js');
        const progress = progressRenderer(ctx.verbose, (line) => ctx.out.info(line));
        let result: IngestResult;
        try {
          result = await ingest({
            input: options.input ?? ctx.paths.defaultInput,
            paths: ctx.paths,
            out: options.out,
            force: options.force,
            onProgress: progress.onProgress,
          });
        } finally {
          progress.stop();
        }
        if (options.json) ctx.out.data(result);
        else ctx.out.info(summary(result));
      }),
    );
};
