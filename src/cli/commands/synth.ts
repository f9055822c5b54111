import { InvalidArgumentError } from 'commander';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface SynthCommandOptions {
  customers: number;
  seed: number;
  out?: string;
  json?: boolean;
}

const wholeNumber = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new InvalidArgumentError(`expected a whole number >= ${min}`);
  }
  return n;
};

export const registerSynth: RegisterCommand = (program) => {
  program
    .command('synth')
    .description(
      'Generate a synthetic Online-Retail-shaped data set (raw UCI columns, parquet) with ' +
        'sql/synth/*.sql: customers with different purchase rates and churn, a November peak, ' +
        '~23-line invoices, ~2% cancellations, rows without customer. Deterministic: the same ' +
        'seed writes a byte-identical file. 4,000 customers ≈ 390K rows; 100,000 ≈ 10M rows.',
    )
    .option(
      '--customers <n>',
      'identified customers (a third as many anonymous buyers are added)',
      wholeNumber(1),
      4000,
    )
    .option('--seed <n>', 'random seed', wholeNumber(0), 42)
    .option('--out <path>', 'parquet to write; default data/input/synthetic_retail.parquet')
    .option('--json', 'print the result as JSON on stdout')
    .action(
      action<SynthCommandOptions>(async (options, ctx) => {
        const { synthesize } = await import('../../synth/synthesize.js');
        const started = performance.now();
        const result = await synthesize({
          paths: ctx.paths,
          customers: options.customers,
          seed: options.seed,
          out: options.out,
        });
        const seconds = (performance.now() - started) / 1000;
        if (options.json) ctx.out.data({ ...result, seconds });
        else {
          ctx.out.info(
            `${result.rows.toLocaleString('en-US')} synthetic rows (${result.customers.toLocaleString('en-US')} customers, seed ${result.seed}) → ${result.path} in ${seconds.toFixed(1)} s`,
          );
        }
      }),
    );
};
