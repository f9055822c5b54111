import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { InputError } from '../../errors.js';
import type { TrainStepResult } from '../../pipeline/train-step.js';
import type { BinaryEvaluation } from '../../training/metrics.js';
import { resolveParams } from '../../training/params.js';
import type { ParquetTrainingResult } from '../../training/train-parquet.js';
import { action, type CommandContext } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface TrainOptions {
  labels?: string;
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
      'Train a gradient-boosted trees model (LightGBM algorithm and model format). Without ' +
        '--data: the pipeline step (the label view rows → point-in-time features → temporal ' +
        'split → models/<prediction>_model.txt, metrics.json, report). With --data: on any parquet file, ' +
        'every numeric column but the label being a feature.',
    )
    .option('--labels <view>', "the pipeline's label view (default: the repository's only one)")
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
  if (opts.data === undefined) return pipelineTrain(opts, ctx);
  if (opts.label === undefined)
    throw new InputError('Failed to train: --data needs --label COLUMN');
  const params = parseParams(opts.params);
  // Loaded here, not at the top: `duckfeat --help` should not load DuckDB.
  const [{ saveModel }, { trainOnParquet }] = await Promise.all([
    import('../../training/model-file.js'),
    import('../../training/train-parquet.js'),
  ]);
  const out = opts.out ?? join(ctx.paths.models, 'model.txt');
  const bar = progressBar(opts);
  bar?.start(params.num_iterations, 0, { metric: '' });
  let result: ParquetTrainingResult;
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

/** The pipeline step (src/pipeline/train-step.ts); this command only prints its result. */
async function pipelineTrain(opts: TrainOptions, ctx: CommandContext): Promise<void> {
  if (opts.label !== undefined || opts.valid !== undefined || opts.out !== undefined) {
    throw new InputError('Failed to train: --label, --valid and --out go with --data');
  }
  const params = opts.params === undefined ? undefined : parseParamsObject(opts.params);
  // Loaded here, not at the top: the step loads DuckDB, PGlite and Vega.
  const { trainStep } = await import('../../pipeline/train-step.js');
  const bar = progressBar(opts);
  let started = false;
  let result: TrainStepResult;
  try {
    result = await trainStep({
      paths: ctx.paths,
      params,
      ...(opts.labels ? { labels: opts.labels } : {}),
      onIteration: (i, total) => {
        if (!started) bar?.start(total, 0, { metric: '' });
        started = true;
        bar?.update(i + 1);
      },
    });
  } finally {
    bar?.stop();
  }
  if (opts.json) {
    ctx.out.data({
      model: result.artifacts.model,
      metrics: result.artifacts.metrics,
      testCutoff: result.testCutoff,
      features: result.featureNames,
      params: result.params,
      timings: result.timings,
      train: summary(result.train),
      test: summary(result.test),
    });
    return;
  }
  const { train, test } = result;
  ctx.out.info(`features: ${result.featureNames.join(', ')}`);
  ctx.out.info(`train: ${line(train)}`);
  ctx.out.info(`test (cutoff ${result.testCutoff}): ${line(test)}`);
  ctx.out.info(`\ntest report:\n${test.classificationReport}`);
  ctx.out.info(
    `retrieval ${(result.timings.retrieveMs / 1000).toFixed(2)} s, training ${(result.timings.trainMs / 1000).toFixed(2)} s`,
  );
  ctx.out.info(
    `model written to ${result.artifacts.model}; metrics to ${result.artifacts.metrics}`,
  );
}

function progressBar(opts: TrainOptions) {
  return process.stderr.isTTY && !opts.json
    ? new cliProgress.SingleBar(
        { format: 'training [{bar}] {value}/{total} trees {metric}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
}

function parseParams(text: string | undefined) {
  return resolveParams(text === undefined ? {} : parseParamsObject(text));
}

function parseParamsObject(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`Failed to read --params: not valid JSON (${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('Failed to read --params: expected a JSON object');
  }
  return raw as Record<string, unknown>;
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
