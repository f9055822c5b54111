import { logLoss, prAuc, rocAuc } from './metrics.js';
import type { Metric } from './params.js';

/** A validation metric by LightGBM's name, on probabilities. */
export function evaluateMetric(
  metric: Metric,
  probabilities: Float64Array,
  labels: ArrayLike<number>,
): number {
  switch (metric) {
    case 'binary_logloss':
      return logLoss(probabilities, labels);
    case 'auc':
      return rocAuc(probabilities, labels);
    case 'average_precision':
      return prAuc(probabilities, labels);
    case 'binary_error': {
      let wrong = 0;
      for (let i = 0; i < labels.length; i++) {
        if (probabilities[i]! > 0.5 !== labels[i]! > 0) wrong++;
      }
      return wrong / labels.length;
    }
  }
}

export function isHigherBetter(metric: Metric): boolean {
  return metric === 'auc' || metric === 'average_precision';
}
