import type { GBDTParams } from './params.js';

/**
 * The training parameters of duckfeat's purchase-propensity pipeline, in one place.
 *
 * They mirror the seed's XGBoost model (max_depth 4, learning_rate 0.1, 100 trees): depth-4
 * trees hold at most 16 leaves, and LightGBM's own advice is num_leaves < 2^max_depth, so 15.
 * Everything else is LightGBM's default (min_data_in_leaf 20, no bagging, no regularization).
 * Chosen before looking at the test split and not tuned on it (BENCHMARKS.md, "Training").
 */
export const PIPELINE_PARAMS: Readonly<Partial<GBDTParams>> = Object.freeze({
  objective: 'binary',
  max_depth: 4,
  num_leaves: 15,
  learning_rate: 0.1,
  num_iterations: 100,
  min_data_in_leaf: 20,
});
