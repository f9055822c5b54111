import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { InputError } from '../../errors.js';
import type { BinaryEvaluation } from '../../training/metrics.js';
import { saveModel } from '../../training/model-file.js';
import { resolveParams } from '../../training/params.js';
import { trainOnParquet } from '../../training/train-parquet.js';
import { action, type CommandContext } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface TrainOptions {
  data?: string;
  label?: string;
  valid?: string;
  params?: string;
  out?: string;
  json?: boolean;
}

export const registerTrain: RegisterCommand = (program) => {
  program
    .command('train')
    .description(
      'Train a gradient-boosted trees model (LightGBM algorithm and model format). With --data: ' +
        'on any parquet file, every numeric column but the label being a feature.',
    )
    .option('--data <file.parquet>', 'training data: numeric feature columns and a 0/1 label')
    .option('--label <column>', 'the 0/1 label column of --data')
    .option(
      '--valid <file.parquet>',
      'validation data with the same columns (metrics, early stopping)',
    )
    .option(
      '--params <json>',
      `LightGBM parameters as JSON, e.g. '{"num_leaves":15,"learning_rate":0.05}'`,
    )
    .option('--out <model.txt>', 'where to write the model (LightGBM text format)')
    .option('--json', 'print the metrics as JSON')
    .action(action<TrainOptions>(async (opts, ctx) => trainCommand(opts, ctx)));
};

async function trainCommand(opts: TrainOptions, ctx: CommandContext): Promise<void> {
  if (opts.data === undefined) {
    throw new InputError(
      'Failed to train: pipeline training is not available yet; pass --data FILE.parquet --label COLUMN',
    );
  }
  if (opts.label === undefined)
    throw new InputError('Failed to train: --data needs --label COLUMN');
  const params = parseParams(opts.params);
  const out = opts.out ?? join(ctx.paths.models, 'model.txt');
  const bar =
    process.stderr.isTTY && !opts.json
      ? new cliProgress.SingleBar(
          { format: 'training [{bar}] {value}/{total} trees {metric}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(params.num_iterations, 0, { metric: '' });
  let result: Awaited<ReturnType<typeof trainOnParquet>>;
  try {
    result = await trainOnParquet({
      data: opts.data,
      label: opts.label,
      valid: opts.valid,
      params,
      onIteration: (i, metrics) => {
        const shown = Object.entries(metrics)
          .map(([k, v]) => `${k} ${v.toFixed(5)}`)
          .join(' ');
        bar?.update(i + 1, { metric: shown });
      },
    });
  } finally {
    bar?.stop();
  }
  await saveModel(result.model, out);
  if (opts.json) {
    ctx.out.data({
      model: out,
      trainRows: result.trainRows,
      validRows: result.validRows,
      features: result.featureNames,
      trees: result.model.trees.length,
      trainSeconds: result.trainSeconds,
      train: summary(result.train),
      valid: result.valid ? summary(result.valid) : null,
    });
    return;
  }
  ctx.out.info(
    `trained ${result.model.trees.length} trees on ${result.trainRows} rows × ${result.featureNames.length} features in ${result.trainSeconds.toFixed(2)} s`,
  );
  ctx.out.info(`features: ${result.featureNames.join(', ')}`);
  ctx.out.info(`train: ${line(result.train)}`);
  if (result.valid) {
    ctx.out.info(`valid: ${line(result.valid)}`);
    ctx.out.info(`\nvalidation report:\n${result.valid.classificationReport}`);
  }
  ctx.out.info(`model written to ${out}`);
}

function parseParams(text: string | undefined) {
  if (text === undefined) return resolveParams({});
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`Failed to read --params: not valid JSON (${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('Failed to read --params: expected a JSON object');
  }
  return resolveParams(raw as Record<string, unknown>);
}

function summary(e: BinaryEvaluation) {
  const { rocCurve: _r, prCurve: _p, calibration: _c, classificationReport: _t, ...rest } = e;
  return rest;
}

function line(e: BinaryEvaluation): string {
  return [
    `ROC-AUC ${e.rocAuc.toFixed(4)}`,
    `PR-AUC ${e.prAuc.toFixed(4)}`,
    `log loss ${e.logLoss.toFixed(4)}`,
    `accuracy ${e.accuracy.toFixed(4)}`,
    `F1 ${e.f1.toFixed(4)}`,
    `(${e.rows} rows, ${(100 * e.positiveRate).toFixed(1)}% positive)`,
  ].join(', ');
}
