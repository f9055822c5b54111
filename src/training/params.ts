import { TrainingError } from '../errors.js';
import { ioKeysNote, isIgnoredParam } from './ignored-params.js';

/**
 * Training parameters, named and defaulted exactly as LightGBM's (`include/LightGBM/config.h`),
 * so a `--params` JSON written for LightGBM means the same here. Only binary log loss is
 * implemented.
 */
export interface GBDTParams {
  objective: 'binary';
  num_iterations: number;
  learning_rate: number;
  num_leaves: number;
  /** ≤ 0: no limit. */
  max_depth: number;
  min_data_in_leaf: number;
  min_sum_hessian_in_leaf: number;
  lambda_l1: number;
  lambda_l2: number;
  min_gain_to_split: number;
  /** ≤ 0: no limit on a leaf's output. */
  max_delta_step: number;
  max_bin: number;
  min_data_in_bin: number;
  bin_construct_sample_cnt: number;
  bagging_fraction: number;
  /** 0: no bagging; k: redraw the bag every k iterations. */
  bagging_freq: number;
  bagging_seed: number;
  feature_fraction: number;
  feature_fraction_seed: number;
  data_random_seed: number;
  /** When non-zero, derives bagging_seed, feature_fraction_seed and data_random_seed. */
  seed: number;
  /** 0: off. Needs a validation set. */
  early_stopping_round: number;
  first_metric_only: boolean;
  /** Validation metrics; the first is the one reported as `best`. */
  metric: Metric[];
  use_missing: boolean;
  zero_as_missing: boolean;
  boost_from_average: boolean;
  sigmoid: number;
  scale_pos_weight: number;
  /** 0: one thread per core for large data; 1: never start worker threads. */
  num_threads: number;
  /** Rows at or above which histograms are built on worker threads (measured; see BENCHMARKS.md). */
  min_rows_for_threads: number;
}

export type Metric = 'binary_logloss' | 'auc' | 'binary_error' | 'average_precision';

export const DEFAULT_PARAMS: Readonly<GBDTParams> = Object.freeze({
  objective: 'binary',
  num_iterations: 100,
  learning_rate: 0.1,
  num_leaves: 31,
  max_depth: -1,
  min_data_in_leaf: 20,
  min_sum_hessian_in_leaf: 1e-3,
  lambda_l1: 0,
  lambda_l2: 0,
  min_gain_to_split: 0,
  max_delta_step: 0,
  max_bin: 255,
  min_data_in_bin: 3,
  bin_construct_sample_cnt: 200_000,
  bagging_fraction: 1,
  bagging_freq: 0,
  bagging_seed: 3,
  feature_fraction: 1,
  feature_fraction_seed: 2,
  data_random_seed: 1,
  seed: 0,
  early_stopping_round: 0,
  first_metric_only: false,
  metric: ['binary_logloss'],
  use_missing: true,
  zero_as_missing: false,
  boost_from_average: true,
  sigmoid: 1,
  scale_pos_weight: 1,
  num_threads: 0,
  min_rows_for_threads: 200_000,
} satisfies GBDTParams);

/** LightGBM's aliases for the parameters above (a subset: the common ones). */
const ALIASES: Record<string, keyof GBDTParams> = {
  objective_type: 'objective',
  app: 'objective',
  application: 'objective',
  num_iteration: 'num_iterations',
  n_iter: 'num_iterations',
  num_tree: 'num_iterations',
  num_trees: 'num_iterations',
  num_round: 'num_iterations',
  num_rounds: 'num_iterations',
  nrounds: 'num_iterations',
  num_boost_round: 'num_iterations',
  n_estimators: 'num_iterations',
  max_iter: 'num_iterations',
  shrinkage_rate: 'learning_rate',
  eta: 'learning_rate',
  num_leaf: 'num_leaves',
  max_leaves: 'num_leaves',
  max_leaf: 'num_leaves',
  max_leaf_nodes: 'num_leaves',
  min_data_per_leaf: 'min_data_in_leaf',
  min_data: 'min_data_in_leaf',
  min_child_samples: 'min_data_in_leaf',
  min_samples_leaf: 'min_data_in_leaf',
  min_sum_hessian_per_leaf: 'min_sum_hessian_in_leaf',
  min_sum_hessian: 'min_sum_hessian_in_leaf',
  min_hessian: 'min_sum_hessian_in_leaf',
  min_child_weight: 'min_sum_hessian_in_leaf',
  reg_alpha: 'lambda_l1',
  l1_regularization: 'lambda_l1',
  reg_lambda: 'lambda_l2',
  lambda: 'lambda_l2',
  l2_regularization: 'lambda_l2',
  min_split_gain: 'min_gain_to_split',
  max_tree_output: 'max_delta_step',
  max_leaf_output: 'max_delta_step',
  subsample_for_bin: 'bin_construct_sample_cnt',
  sub_row: 'bagging_fraction',
  subsample: 'bagging_fraction',
  bagging: 'bagging_fraction',
  subsample_freq: 'bagging_freq',
  bagging_fraction_seed: 'bagging_seed',
  sub_feature: 'feature_fraction',
  colsample_bytree: 'feature_fraction',
  data_seed: 'data_random_seed',
  random_seed: 'seed',
  random_state: 'seed',
  early_stopping_rounds: 'early_stopping_round',
  early_stopping: 'early_stopping_round',
  n_iter_no_change: 'early_stopping_round',
  metrics: 'metric',
  metric_types: 'metric',
  num_thread: 'num_threads',
  nthread: 'num_threads',
  nthreads: 'num_threads',
  n_jobs: 'num_threads',
};

const METRIC_ALIASES: Record<string, Metric> = {
  binary_logloss: 'binary_logloss',
  binary: 'binary_logloss',
  logloss: 'binary_logloss',
  auc: 'auc',
  binary_error: 'binary_error',
  error: 'binary_error',
  average_precision: 'average_precision',
};

/**
 * The same parameters with LightGBM aliases renamed to their canonical names, a later
 * entry overriding an earlier one for the same parameter (as `resolveParams` reads them).
 * Unknown names are kept for `resolveParams` to refuse. For merging parameter sets and
 * showing them: `{ num_iterations: 100, num_trees: 5 }` would otherwise read as both.
 *
 * @example canonicalParamNames({ num_iterations: 100, num_trees: 5 }) // { num_iterations: 5 }
 */
export function canonicalParamNames(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [given, value] of Object.entries(input)) {
    const key = given in DEFAULT_PARAMS ? given : (ALIASES[given] ?? given);
    out[key] = value;
  }
  return out;
}

/**
 * Resolve user parameters (LightGBM names or aliases) over the defaults, and validate them.
 * Throws a {@link TrainingError} naming the bad parameter, or a value that LightGBM accepts
 * but duckfeat does not implement (`boosting: 'dart'`). LightGBM's I/O-only keys (a
 * train.conf's `data`, `output_model`, `metric_freq`, …) are ignored with one note
 * (`onNote`, default console.warn; once per key per process).
 *
 * @example resolveParams({ eta: 0.05, max_depth: 4 }).learning_rate // 0.05
 */
export function resolveParams(
  input: Record<string, unknown> = {},
  options: { onNote?: (note: string) => void } = {},
): GBDTParams {
  const params: GBDTParams = { ...DEFAULT_PARAMS, metric: [...DEFAULT_PARAMS.metric] };
  const raw = params as unknown as Record<string, unknown>;
  const ioKeys: string[] = [];
  for (const [given, value] of Object.entries(input)) {
    if (value === undefined || isIgnoredParam(given, value, ioKeys)) continue;
    const key = given in DEFAULT_PARAMS ? (given as keyof GBDTParams) : ALIASES[given];
    if (key === undefined) {
      throw new TrainingError(
        `Failed to read parameters: unknown parameter '${given}' (known: ${Object.keys(DEFAULT_PARAMS).join(', ')})`,
      );
    }
    raw[key] = coerce(key, value);
  }
  if (params.seed !== 0) {
    // LightGBM derives the other seeds from `seed` with its own generator; ours is simpler.
    params.bagging_seed = (params.seed * 31 + 3) | 0;
    params.feature_fraction_seed = (params.seed * 31 + 2) | 0;
    params.data_random_seed = (params.seed * 31 + 1) | 0;
  }
  validate(params);
  const note = ioKeysNote(ioKeys);
  if (note) (options.onNote ?? ((m) => console.warn(m)))(note);
  return params;
}

function coerce(key: keyof GBDTParams, value: unknown): unknown {
  const fail = (why: string) =>
    new TrainingError(`Failed to read parameters: '${key}' ${why} (got ${JSON.stringify(value)})`);
  if (key === 'objective') {
    if (value !== 'binary') throw fail("must be 'binary' (the only objective implemented)");
    return value;
  }
  if (key === 'metric') {
    const list = Array.isArray(value)
      ? value
      : String(value)
          .split(',')
          .map((s) => s.trim());
    return list.map((m) => {
      const metric = METRIC_ALIASES[String(m)];
      if (!metric) throw fail(`has an unknown metric '${m}'`);
      return metric;
    });
  }
  if (typeof DEFAULT_PARAMS[key] === 'boolean') {
    if (value === true || value === 1 || value === 'true' || value === '1') return true;
    if (value === false || value === 0 || value === 'false' || value === '0') return false;
    throw fail('must be a boolean');
  }
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw fail('must be a finite number');
  return n;
}

function validate(p: GBDTParams): void {
  const check = (ok: boolean, key: keyof GBDTParams, rule: string) => {
    if (!ok) throw new TrainingError(`Failed to read parameters: '${key}' ${rule} (got ${p[key]})`);
  };
  const int = (key: keyof GBDTParams, min: number) =>
    check(
      Number.isInteger(p[key]) && (p[key] as number) >= min,
      key,
      `must be an integer ≥ ${min}`,
    );
  int('num_iterations', 1);
  int('num_leaves', 2);
  check(p.num_leaves <= 131072, 'num_leaves', 'must be ≤ 131072');
  int('min_data_in_leaf', 0);
  int('max_bin', 2);
  check(p.max_bin <= 65535, 'max_bin', 'must be ≤ 65535');
  int('min_data_in_bin', 1);
  int('bin_construct_sample_cnt', 1);
  int('bagging_freq', 0);
  int('early_stopping_round', 0);
  int('num_threads', 0);
  int('min_rows_for_threads', 0);
  check(Number.isInteger(p.max_depth), 'max_depth', 'must be an integer');
  check(p.learning_rate > 0, 'learning_rate', 'must be > 0');
  check(p.min_sum_hessian_in_leaf >= 0, 'min_sum_hessian_in_leaf', 'must be ≥ 0');
  check(p.lambda_l1 >= 0, 'lambda_l1', 'must be ≥ 0');
  check(p.lambda_l2 >= 0, 'lambda_l2', 'must be ≥ 0');
  check(p.min_gain_to_split >= 0, 'min_gain_to_split', 'must be ≥ 0');
  check(p.bagging_fraction > 0 && p.bagging_fraction <= 1, 'bagging_fraction', 'must be in (0, 1]');
  check(p.feature_fraction > 0 && p.feature_fraction <= 1, 'feature_fraction', 'must be in (0, 1]');
  check(p.sigmoid > 0, 'sigmoid', 'must be > 0');
  check(p.scale_pos_weight > 0, 'scale_pos_weight', 'must be > 0');
  check(p.metric.length > 0, 'metric', 'must name at least one metric');
}
