import { describe, it } from 'vitest';
import { trainGBDT } from '../../src/training/gbdt.js';
import {
  expectSamePredictions,
  expectSameTrees,
  python,
  trainLightgbm,
} from './lightgbm-reference.js';

/** A seeded LCG in [0, 1): the data sets below are the same on every run. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * Features as a user's table has them: non-negative amounts with NaN (their most frequent
 * bin is bin 0), small counts with NaN and many ties, a signed feature, a rare-NaN one.
 */
function nanData(numRows: number, seed: number) {
  const rnd = random(seed);
  const names = ['amount', 'visits', 'score', 'tenure', 'ratio'];
  const features = names.map(() => new Float64Array(numRows));
  const label = new Float64Array(numRows);
  for (let i = 0; i < numRows; i++) {
    const amount = rnd() < 0.2 ? Number.NaN : Math.exp(rnd() * 5) - 1;
    const visits = rnd() < 0.35 ? Number.NaN : Math.floor(rnd() * rnd() * 12);
    const score = rnd() * 4 - 2;
    const tenure = Math.floor(rnd() * 40);
    const ratio = rnd() < 0.01 ? Number.NaN : Math.round(rnd() * 100) / 100;
    features[0]![i] = amount;
    features[1]![i] = visits;
    features[2]![i] = score;
    features[3]![i] = tenure;
    features[4]![i] = ratio;
    const z =
      (Number.isNaN(amount) ? 0.5 : 0.3 * Math.log1p(amount) - 0.6) +
      (Number.isNaN(visits) ? -0.4 : 0.15 * visits - 0.5) +
      0.8 * score +
      0.02 * (tenure - 20) +
      (rnd() * 2 - 1) * 1.5;
    label[i] = z > 0 ? 1 : 0;
  }
  return { features, label, featureNames: names };
}

async function expectLikeLightgbm(
  data: ReturnType<typeof nanData>,
  params: Record<string, unknown>,
): Promise<void> {
  const reference = trainLightgbm(data.features, data.label, { objective: 'binary', ...params });
  const ours = await trainGBDT({ ...data, params: { ...params, num_threads: 1 } });
  expectSameTrees(ours, reference.text);
  expectSamePredictions(ours.predictRaw(data.features), reference.raw);
}

describe.skipIf(!python)('the same trees as LightGBM 4.7 (real LightGBM)', () => {
  it('NaN features with min_data_in_leaf binding', async () => {
    await expectLikeLightgbm(nanData(6000, 7), {
      num_iterations: 30,
      num_leaves: 31,
      min_data_in_leaf: 150,
    });
  });

  it('empty-bin ties and the NaN direction at nodes without NaN rows (deep trees)', async () => {
    await expectLikeLightgbm(nanData(20_000, 21), {
      num_iterations: 40,
      num_leaves: 63,
      min_data_in_leaf: 5,
    });
  });

  it('more rows than bin_construct_sample_cnt: the same bin sample', async () => {
    await expectLikeLightgbm(nanData(250_000, 5), {
      num_iterations: 5,
      num_leaves: 15,
    });
  });
});
