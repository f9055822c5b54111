import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trainGBDT, trainGBDTWithScores } from '../../src/training/gbdt.js';
import { logLoss } from '../../src/training/metrics.js';
import { parseModel } from '../../src/training/model-text.js';
import { sliceRows, syntheticData } from './fixtures.js';

const data = syntheticData(3000);
const train = { features: sliceRows(data.features, 0, 2000), label: data.label.slice(0, 2000) };
const valid = { features: sliceRows(data.features, 2000, 3000), label: data.label.slice(2000) };
const small = { num_iterations: 30, num_leaves: 8 };

describe('trainGBDT', () => {
  it('is deterministic for a seed, also with bagging and feature_fraction', async () => {
    const params = { ...small, bagging_fraction: 0.7, bagging_freq: 1, feature_fraction: 0.6 };
    const a = await trainGBDT({ ...train, featureNames: data.featureNames, params });
    const b = await trainGBDT({ ...train, featureNames: data.featureNames, params });
    expect(a.toText()).toBe(b.toText());
    const c = await trainGBDT({
      ...train,
      featureNames: data.featureNames,
      params: { ...params, seed: 7 },
    });
    expect(c.toText()).not.toBe(a.toText());
  });

  it("returns the training rows' raw scores: exactly the model's predictions", async () => {
    for (const params of [small, { ...small, bagging_fraction: 0.6, bagging_freq: 2 }]) {
      const { model, trainRaw } = await trainGBDTWithScores({
        ...train,
        featureNames: data.featureNames,
        params,
      });
      expect(Array.from(trainRaw!)).toEqual(Array.from(model.predictRaw(train.features)));
    }
    const stopped = await trainGBDTWithScores({
      ...train,
      featureNames: data.featureNames,
      valid,
      params: { ...small, num_iterations: 200, early_stopping_round: 3 },
    });
    expect(stopped.model.trees.length).toBeLessThan(200);
    expect(stopped.trainRaw).toBeNull();
  });

  it('folds boost_from_average into tree 0 and shrinks the others', async () => {
    const model = await trainGBDT({ ...train, featureNames: data.featureNames, params: small });
    const rate = train.label.reduce((s, y) => s + y, 0) / train.label.length;
    const prior = Math.log(rate / (1 - rate));
    expect(model.trees[0]!.shrinkage).toBe(1);
    expect(model.trees[1]!.shrinkage).toBeCloseTo(0.1, 12);
    // Tree 0's root value is the prior plus a (tiny, shrunk) root output.
    expect(model.trees[0]!.internalValue[0]).toBeCloseTo(prior, 3);
    const text = model.toText();
    expect(text).toContain('Tree=0\nnum_leaves=8\n');
    expect(text).toContain('\nshrinkage=1\n');
  });

  it('respects num_leaves, max_depth and min_data_in_leaf', async () => {
    const model = await trainGBDT({
      ...train,
      featureNames: data.featureNames,
      params: { num_iterations: 10, num_leaves: 31, max_depth: 2, min_data_in_leaf: 150 },
    });
    for (const tree of model.trees) {
      expect(tree.numLeaves).toBeLessThanOrEqual(4);
      for (const count of tree.leafCount) expect(count).toBeGreaterThanOrEqual(150);
      expect(tree.internalCount[0]).toBe(2000);
    }
  });

  it('stops early and keeps the trees up to the best validation iteration', async () => {
    const seen: number[] = [];
    const model = await trainGBDT({
      ...train,
      featureNames: data.featureNames,
      valid,
      params: {
        num_iterations: 300,
        learning_rate: 0.3,
        num_leaves: 31,
        min_data_in_leaf: 5,
        early_stopping_round: 5,
      },
      onIteration: (_i, m) => seen.push(m['valid_binary_logloss']!),
    });
    const best = seen.indexOf(Math.min(...seen));
    expect(seen.length).toBeLessThan(300);
    expect(seen.length - 1 - best).toBe(5);
    expect(model.trees.length).toBe(best + 1);
    expect(model.bestIteration).toBe(best + 1);
    // The kept model scores the validation set at the best iteration's loss.
    expect(logLoss(model.predictProba(valid.features), valid.label)).toBeCloseTo(seen[best]!, 12);
  });

  it('applies L1/L2: larger lambdas give smaller leaf values', async () => {
    const plain = await trainGBDT({ ...train, featureNames: data.featureNames, params: small });
    const reg = await trainGBDT({
      ...train,
      featureNames: data.featureNames,
      params: { ...small, lambda_l1: 5, lambda_l2: 50 },
    });
    const spread = (m: typeof plain) =>
      Math.max(...m.trees.slice(1).flatMap((t) => Array.from(t.leafValue, Math.abs)));
    expect(spread(reg)).toBeLessThan(spread(plain));
  });

  it('round-trips through the text format', async () => {
    const model = await trainGBDT({ ...train, featureNames: data.featureNames, params: small });
    const text = model.toText();
    const again = parseModel(text);
    expect(again.toText()).toBe(text);
    expect(Array.from(again.predictRaw(valid.features))).toEqual(
      Array.from(model.predictRaw(valid.features)),
    );
    // tree_sizes are the exact byte lengths of the Tree= blocks.
    const sizes = text
      .match(/^tree_sizes=(.*)$/m)![1]!
      .split(' ')
      .map(Number);
    const blocks = text
      .slice(text.indexOf('Tree=0'), text.indexOf('end of trees'))
      .split(/(?=^Tree=)/m);
    expect(blocks.map((b) => Buffer.byteLength(b))).toEqual(sizes);
  });

  it('reports importance as split counts and gain sums', async () => {
    const model = await trainGBDT({ ...train, featureNames: data.featureNames, params: small });
    const split = model.featureImportance('split');
    const gain = model.featureImportance('gain');
    const totalSplits = model.trees.reduce((s, t) => s + t.numLeaves - 1, 0);
    expect(split.reduce((a, b) => a + b, 0)).toBe(totalSplits);
    // 'a' drives the label most.
    expect(gain.indexOf(Math.max(...gain))).toBe(0);
  });

  it('TreeSHAP contributions sum to the raw score (additivity)', async () => {
    const model = await trainGBDT({ ...train, featureNames: data.featureNames, params: small });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double({ min: -10, max: 10, noNaN: true }),
            fc.constant(Number.NaN),
            fc.constant(0),
          ),
          {
            minLength: 5,
            maxLength: 5,
          },
        ),
        (row) => {
          const cols = row.map((v) => Float64Array.of(v));
          const raw = model.predictRaw(cols)[0]!;
          const phi = model.predictContrib(cols)[0]!;
          expect(phi.length).toBe(6);
          expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(raw, 10);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses bad inputs with a TrainingError', async () => {
    await expect(
      trainGBDT({ ...train, featureNames: data.featureNames, params: { num_leaves: 1 } }),
    ).rejects.toThrow(/num_leaves/);
    await expect(
      trainGBDT({ ...train, featureNames: data.featureNames, params: { bogus: 1 } }),
    ).rejects.toThrow(/unknown parameter 'bogus'/);
    await expect(
      trainGBDT({
        features: train.features,
        label: Float64Array.from(train.label, (y) => y * 2),
        featureNames: data.featureNames,
      }),
    ).rejects.toThrow(/0 or 1/);
  });

  // Row slots: the WebAssembly kernels; more than 65,536 bins in all: the JavaScript ones.
  it.each([
    ['WebAssembly kernels', {}],
    ['JavaScript kernels', { max_bin: 20_000, min_data_in_bin: 1 }],
  ])('builds the same trees with histograms sharded over worker threads (%s)', async (_, extra) => {
    const big = syntheticData(50_000, 3);
    const params = { num_iterations: 3, num_leaves: 8, ...extra };
    const local = await trainGBDT({ ...big, params: { ...params, num_threads: 1 } });
    const sharded = await trainGBDT({
      ...big,
      params: { ...params, num_threads: 2, min_rows_for_threads: 0 },
    });
    for (const [i, tree] of sharded.trees.entries()) {
      expect(Array.from(tree.splitFeature)).toEqual(Array.from(local.trees[i]!.splitFeature));
      expect(Array.from(tree.threshold)).toEqual(Array.from(local.trees[i]!.threshold));
    }
    const a = local.predictRaw(big.features);
    const b = sharded.predictRaw(big.features);
    for (let r = 0; r < a.length; r += 997) expect(b[r]).toBeCloseTo(a[r]!, 10);
  });
});
