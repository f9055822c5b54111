import { TrainingError } from '../errors.js';

/**
 * How a model turns its raw score into its prediction, read from the model file's
 * `objective=` line as LightGBM's objectives convert their output (`ConvertOutput`).
 */
export type ModelOutput =
  /** binary, cross_entropy: 1 / (1 + exp(−scale · raw)), a probability. */
  | { kind: 'sigmoid'; scale: number }
  /** regression (L2, L1, huber, fair, quantile, mape), lambdarank, rank_xendcg; no objective. */
  | { kind: 'raw' }
  /** regression with `sqrt`: sign(raw) · raw². */
  | { kind: 'square' }
  /** poisson, gamma, tweedie: exp(raw). */
  | { kind: 'exp' }
  /** cross_entropy_lambda: log(1 + exp(raw)). */
  | { kind: 'softplus' };

const RAW = new Set([
  'regression',
  'regression_l1',
  'huber',
  'fair',
  'quantile',
  'mape',
  'lambdarank',
  'rank_xendcg',
]);
const EXP = new Set(['poisson', 'gamma', 'tweedie']);

/**
 * The output of a model file's objective (`binary sigmoid:1`, `regression`, `poisson`, …;
 * null: raw scores, as LightGBM without an objective). Throws a {@link TrainingError} for
 * an objective it does not know (multiclass models are refused earlier by num_class).
 *
 * @example modelOutput('binary sigmoid:1') // { kind: 'sigmoid', scale: 1 }
 */
export function modelOutput(objective: string | null): ModelOutput {
  if (objective === null) return { kind: 'raw' };
  const [name = '', ...options] = objective.trim().split(/\s+/);
  if (name === 'binary') {
    const sigmoid = options.find((o) => o.startsWith('sigmoid:'));
    const scale = sigmoid ? Number(sigmoid.slice('sigmoid:'.length)) : 1;
    if (!(scale > 0)) {
      throw new TrainingError(`Failed to read model: objective '${objective}' has a bad sigmoid`);
    }
    return { kind: 'sigmoid', scale };
  }
  if (name === 'cross_entropy' || name === 'xentropy') return { kind: 'sigmoid', scale: 1 };
  if (name === 'cross_entropy_lambda' || name === 'xentlambda') return { kind: 'softplus' };
  if (EXP.has(name)) return { kind: 'exp' };
  if (RAW.has(name)) return options.includes('sqrt') ? { kind: 'square' } : { kind: 'raw' };
  throw new TrainingError(
    `Failed to read model: objective '${objective}' is not supported (supported: binary, ` +
      'cross_entropy, cross_entropy_lambda, regression, regression_l1, huber, fair, quantile, ' +
      'mape, poisson, gamma, tweedie, lambdarank, rank_xendcg)',
  );
}

/** Apply the output transform to raw scores, in place. */
export function convertOutput(output: ModelOutput, raw: Float64Array): Float64Array {
  switch (output.kind) {
    case 'sigmoid': {
      const s = output.scale;
      for (let i = 0; i < raw.length; i++) raw[i] = 1 / (1 + Math.exp(-s * raw[i]!));
      break;
    }
    case 'square':
      for (let i = 0; i < raw.length; i++) raw[i] = Math.sign(raw[i]!) * raw[i]! * raw[i]!;
      break;
    case 'exp':
      for (let i = 0; i < raw.length; i++) raw[i] = Math.exp(raw[i]!);
      break;
    case 'softplus':
      for (let i = 0; i < raw.length; i++) raw[i] = Math.log1p(Math.exp(raw[i]!));
      break;
    case 'raw':
      break;
  }
  return raw;
}
