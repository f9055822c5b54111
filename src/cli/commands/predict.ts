import { relative } from 'node:path';
import { InputError } from '../../errors.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface PredictOptions {
  threshold: string;
  labels?: string;
  features?: string;
  json?: boolean;
}

export const registerPredict: RegisterCommand = (program) => {
  program
    .command('predict')
    .description(
      'Score every key of the label view at its latest cutoff with the trained model: the same ' +
        'point-in-time retrieval as training → models/predictions.parquet (the keys, ' +
        '<prediction>_probability, <prediction>_predicted; for the seed customer_id, ' +
        'purchase_probability, purchase_predicted)',
    )
    .option('--threshold <p>', 'probability above which a row is predicted positive', '0.5')
    .option('--labels <view>', "the label view (default: the repository's only one)")
    .option(
      '--features <refs>',
      'feature service or comma-separated view:feature references the model was trained on',
    )
    .option('--json', 'print the summary as JSON')
    .action(
      action<PredictOptions>(async (opts, ctx) => {
        const threshold = Number(opts.threshold);
        if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
          throw new InputError(
            `Failed to predict: --threshold ${opts.threshold} is not a probability between 0 and 1`,
          );
        }
        const { predictStep } = await import('../../pipeline/predict-step.js');
        const features = opts.features?.includes(',') ? opts.features.split(',') : opts.features;
        const result = await predictStep({
          paths: ctx.paths,
          threshold,
          ...(features ? { features } : {}),
          ...(opts.labels ? { labels: opts.labels } : {}),
        });
        const where = relative(ctx.paths.root, result.artifacts.predictions);
        if (opts.json) {
          ctx.out.data({ ...result, predictions: result.artifacts.predictions });
          return;
        }
        const { labels } = result;
        ctx.out.info(
          `scored ${result.rows} ${labels.entities.join(' × ')} rows at cutoff ${result.cutoff}: ` +
            `${result.predictedPositive} predicted ${labels.prediction} (probability > ${threshold}), ` +
            `mean probability ${result.meanProbability.toFixed(4)}`,
        );
        ctx.out.info(`predictions written to ${where}`);
      }),
    );
};
