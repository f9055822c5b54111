import { TrainingError } from '../errors.js';

/**
 * LightGBM's parameters about files, logging, prediction tasks and the network (names and
 * aliases from LightGBM 4.x's `config.h`, IO/predict/convert/network sections): they do not
 * change the trees, so a train.conf's are accepted and ignored (duckfeat reads `--data` /
 * `--valid` parquet files and writes `--out`), with one note.
 */
const IO_ONLY = new Set([
  'config',
  'config_file',
  'task',
  'task_type',
  'data',
  'train',
  'train_data',
  'train_data_file',
  'data_filename',
  'valid',
  'test',
  'valid_data',
  'valid_data_file',
  'test_data',
  'test_data_file',
  'valid_filenames',
  'output_model',
  'model_output',
  'model_out',
  'snapshot_freq',
  'save_period',
  'saved_feature_importance_type',
  'metric_freq',
  'output_freq',
  'is_provide_training_metric',
  'training_metric',
  'is_training_metric',
  'train_metric',
  'header',
  'has_header',
  'two_round',
  'two_round_loading',
  'use_two_round_loading',
  'save_binary',
  'is_save_binary',
  'is_save_binary_file',
  'is_enable_sparse',
  'is_sparse',
  'enable_sparse',
  'sparse',
  'precise_float_parser',
  'parser_config_file',
  'histogram_pool_size',
  'hist_pool_size',
  'output_result',
  'predict_result',
  'prediction_result',
  'predict_name',
  'prediction_name',
  'pred_name',
  'name_pred',
  'predict_raw_score',
  'is_predict_raw_score',
  'predict_rawscore',
  'raw_score',
  'predict_leaf_index',
  'is_predict_leaf_index',
  'leaf_index',
  'predict_contrib',
  'is_predict_contrib',
  'contrib',
  'predict_disable_shape_check',
  'pred_early_stop',
  'pred_early_stop_freq',
  'pred_early_stop_margin',
  'start_iteration_predict',
  'num_iteration_predict',
  'convert_model',
  'convert_model_file',
  'convert_model_language',
  'num_machines',
  'num_machine',
  'local_listen_port',
  'local_port',
  'port',
  'time_out',
  'machine_list_filename',
  'machine_list_file',
  'machine_list',
  'mlist',
  'machines',
  'gpu_platform_id',
  'gpu_device_id',
  'gpu_use_dp',
  'num_gpu',
]);

/** Accepted silently: they change LightGBM's logging or engine choice, not the model. */
const ENGINE_ONLY = new Set([
  'verbose',
  'verbosity',
  'deterministic',
  'force_col_wise',
  'force_row_wise',
  'tree_learner',
  'device_type',
  'feature_pre_filter',
]);

const BOOSTING = new Set(['boosting', 'boosting_type', 'boost']);
const SAMPLE_STRATEGY = new Set(['data_sample_strategy']);
const TASK = new Set(['task', 'task_type']);

/** I/O keys already noted in this process: the note is printed once. */
const noted = new Set<string>();

/**
 * Whether `given` is a LightGBM parameter accepted and ignored here. Refuses, with a
 * {@link TrainingError} naming the value, what is accepted by LightGBM but would change the
 * model here: `boosting` other than gbdt (dart, goss, rf), `data_sample_strategy=goss`, a
 * `task` other than train. Collects the I/O-only keys in `ioKeys`.
 */
export function isIgnoredParam(given: string, value: unknown, ioKeys: string[]): boolean {
  const text = String(value).trim().toLowerCase();
  if (BOOSTING.has(given)) {
    if (text === 'gbdt' || text === 'gbrt') return true;
    throw new TrainingError(
      `Failed to read parameters: ${given}='${String(value)}' is not implemented (only 'gbdt'; dart, goss and rf are LightGBM-only here)`,
    );
  }
  if (SAMPLE_STRATEGY.has(given)) {
    if (text === 'bagging') return true;
    throw new TrainingError(
      `Failed to read parameters: ${given}='${String(value)}' is not implemented (only 'bagging')`,
    );
  }
  if (TASK.has(given) && text !== 'train' && text !== 'training') {
    throw new TrainingError(
      `Failed to read parameters: ${given}='${String(value)}' is not a training task (duckfeat train trains; predict with duckfeat predict or Model.predict)`,
    );
  }
  if (ENGINE_ONLY.has(given)) return true;
  if (IO_ONLY.has(given)) {
    ioKeys.push(given);
    return true;
  }
  return false;
}

/** The note for ignored I/O keys not noted before in this process (null: nothing new). */
export function ioKeysNote(ioKeys: readonly string[]): string | null {
  const fresh = ioKeys.filter((k) => !noted.has(k));
  if (fresh.length === 0) return null;
  for (const k of fresh) noted.add(k);
  return `note: ignored LightGBM I/O parameters (files and logging; duckfeat reads --data/--valid and writes --out): ${fresh.join(', ')}`;
}
