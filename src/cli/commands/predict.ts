import { relative } from 'node:path';
import { InputError } from '../../errors.js';
import { action } from '../command-context.js';
import type { RegisterCommand } from './index.js';

interface PredictOptions {
  threshold: string;
  features?: string;
  json?: boolean;
}

export const registerPredict: RegisterCommand = (program) => {
  program
    .command('predict')
    .description(
      'Score every customer at the latest cutoff with the trained model: the same point-in-time ' +
        'retrieval as training → models/predictions.parquet (customer_id, purchase_probability, ' +
        'purchase_predicted)',
    )
    .option('--threshold <p>', 'probability above which a customer is a predicted purchaser', '0.5')
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
        });
        const where = relative(ctx.paths.root, result.artifacts.predictions);
        if (opts.json) {
          ctx.out.data({ ...result, predictions: result.artifacts.predictions });
          return;
        }
        ctx.out.info(
          `scored ${result.customers} customers at cutoff ${result.cutoff}: ` +
            `${result.predictedPurchasers} predicted purchasers (probability > ${threshold}), ` +
            `mean probability ${result.meanProbability.toFixed(4)}`,
        );
        ctx.out.info(`predictions written to ${where}`);
      }),
    );
};
