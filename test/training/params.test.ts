import { describe, expect, it } from 'vitest';
import { TrainingError } from '../../src/errors.js';
import { trainGBDT } from '../../src/training/gbdt.js';
import { resolveParams } from '../../src/training/params.js';
import { syntheticData } from './fixtures.js';

describe('resolveParams: what LightGBM accepts and duckfeat does not implement', () => {
  it.each([
    ['boosting', 'dart'],
    ['boosting', 'goss'],
    ['boosting_type', 'rf'],
    ['boost', 'random_forest'],
    ['data_sample_strategy', 'goss'],
    ['task', 'predict'],
  ])('refuses %s=%s, naming the value', (key, value) => {
    expect(() => resolveParams({ [key]: value })).toThrow(TrainingError);
    expect(() => resolveParams({ [key]: value })).toThrow(`${key}='${value}'`);
  });

  it('refuses boosting=dart in training too (no silent gbdt)', async () => {
    const data = syntheticData(200, 3);
    await expect(trainGBDT({ ...data, params: { boosting: 'dart' } })).rejects.toThrow(
      "boosting='dart' is not implemented",
    );
  });

  it("accepts boosting=gbdt and data_sample_strategy=bagging (LightGBM's defaults)", () => {
    expect(resolveParams({ boosting: 'gbdt', data_sample_strategy: 'bagging' }).num_leaves).toBe(
      31,
    );
  });
});

describe("resolveParams: a train.conf's I/O-only keys", () => {
  // LightGBM's examples/binary_classification/train.conf, as a new user passes it.
  const trainConf = {
    task: 'train',
    boosting_type: 'gbdt',
    objective: 'binary',
    metric: 'binary_logloss,auc',
    metric_freq: 1,
    is_training_metric: true,
    max_bin: 255,
    data: 'binary.train',
    valid_data: 'binary.test',
    num_trees: 100,
    learning_rate: 0.1,
    num_leaves: 63,
    tree_learner: 'serial',
    feature_fraction: 0.8,
    bagging_freq: 5,
    bagging_fraction: 0.8,
    min_data_in_leaf: 50,
    min_sum_hessian_in_leaf: 5.0,
    is_enable_sparse: true,
    use_two_round_loading: false,
    is_save_binary_file: false,
    output_model: 'LightGBM_model.txt',
  };

  it('accepts them, applies the rest, and notes the ignored ones once', () => {
    const notes: string[] = [];
    const params = resolveParams(trainConf, { onNote: (n) => notes.push(n) });
    expect(params.num_leaves).toBe(63);
    expect(params.bagging_fraction).toBe(0.8);
    expect(params.metric).toEqual(['binary_logloss', 'auc']);
    expect(notes).toHaveLength(1);
    for (const key of [
      'metric_freq',
      'is_training_metric',
      'data',
      'valid_data',
      'is_enable_sparse',
      'use_two_round_loading',
      'is_save_binary_file',
      'output_model',
    ]) {
      expect(notes[0]).toContain(key);
    }
    // The same keys again in this process: no second note.
    resolveParams(trainConf, { onNote: (n) => notes.push(n) });
    expect(notes).toHaveLength(1);
  });

  it('still refuses an unknown key', () => {
    expect(() => resolveParams({ num_leafs: 5 })).toThrow("unknown parameter 'num_leafs'");
  });
});
