import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Model } from '../../src/training/model.js';
import { parseModel } from '../../src/training/model-text.js';

/** A Python with lightgbm (set by .ci/run; locally: a venv's python). */
export const python = process.env['DUCKFEAT_TEST_PYTHON'];
if (!python && process.env['CI'] === 'true') {
  // In CI (.ci/run sets CI=true and installs LightGBM) a missing reference is a failure.
  throw new Error('LightGBM interop tests: DUCKFEAT_TEST_PYTHON is not set in CI');
}

// Trains real LightGBM (one thread) on float64 row-major X and y; writes its model text and
// its raw-score predictions of X.
const TRAIN_SCRIPT = `
import sys, json, numpy as np, lightgbm as lgb
d = sys.argv[1]
params = json.loads(open(d + '/params.json').read())
y = np.fromfile(d + '/y.f64', dtype='<f8')
X = np.fromfile(d + '/X.f64', dtype='<f8').reshape(len(y), -1)
params.update({'verbose': -1, 'num_threads': 1})
rounds = params.pop('num_iterations')
booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=rounds)
booster.save_model(d + '/model.txt')
booster.predict(X, raw_score=True).astype('<f8').tofile(d + '/raw.f64')
`;

export interface LightgbmRun {
  /** LightGBM's model file text. */
  text: string;
  /** Its raw scores of the training rows. */
  raw: Float64Array;
}

/** Train real LightGBM 4.x (`python`) on columns `features` and `label` with `params`. */
export function trainLightgbm(
  features: readonly Float64Array[],
  label: ArrayLike<number>,
  params: Record<string, unknown>,
): LightgbmRun {
  const dir = mkdtempSync(join(tmpdir(), 'duckfeat-lgb-ref-'));
  try {
    const numRows = label.length;
    const numFeatures = features.length;
    const X = new Float64Array(numRows * numFeatures);
    for (let f = 0; f < numFeatures; f++) {
      const column = features[f]!;
      for (let r = 0; r < numRows; r++) X[r * numFeatures + f] = column[r]!;
    }
    writeFileSync(join(dir, 'X.f64'), Buffer.from(X.buffer));
    writeFileSync(join(dir, 'y.f64'), Buffer.from(Float64Array.from(label).buffer));
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    writeFileSync(join(dir, 'train.py'), TRAIN_SCRIPT);
    execFileSync(python!, [join(dir, 'train.py'), dir], { stdio: 'inherit' });
    const raw = readFileSync(join(dir, 'raw.f64'));
    return {
      text: readFileSync(join(dir, 'model.txt'), 'utf8'),
      raw: new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Expect the same trees: every tree's structure (split features, thresholds, decision
 * types, children, leaf and node counts) identical, and values equal to 1e-9 (relative).
 */
export function expectSameTrees(ours: Model, lightgbmText: string): void {
  const theirs = parseModel(lightgbmText);
  expect(ours.trees.length).toBe(theirs.trees.length);
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, n: number, what: string) => {
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(y))) {
        expect.fail(`${what}[${i}]: ${x} vs LightGBM ${y}`);
      }
    }
  };
  for (const [t, a] of ours.trees.entries()) {
    const b = theirs.trees[t]!;
    const where = `tree ${t}`;
    expect(a.numLeaves, `${where} num_leaves`).toBe(b.numLeaves);
    const k = a.numLeaves - 1;
    const exact = (x: ArrayLike<number>, y: ArrayLike<number>, n: number, what: string) =>
      expect(Array.from(x).slice(0, n), `${where} ${what}`).toEqual(Array.from(y).slice(0, n));
    exact(a.splitFeature, b.splitFeature, k, 'split_feature');
    exact(a.threshold, b.threshold, k, 'threshold');
    exact(a.decisionType, b.decisionType, k, 'decision_type');
    exact(a.leftChild, b.leftChild, k, 'left_child');
    exact(a.rightChild, b.rightChild, k, 'right_child');
    exact(a.leafCount, b.leafCount, a.numLeaves, 'leaf_count');
    exact(a.internalCount, b.internalCount, k, 'internal_count');
    close(a.leafValue, b.leafValue, a.numLeaves, `${where} leaf_value`);
  }
}

/** Expect raw scores equal to 1e-9 on every row. */
export function expectSamePredictions(ours: Float64Array, lightgbm: Float64Array): void {
  expect(ours.length).toBe(lightgbm.length);
  let differ = 0;
  let first = -1;
  for (let r = 0; r < ours.length; r++) {
    if (Math.abs(ours[r]! - lightgbm[r]!) > 1e-9) {
      differ++;
      if (first < 0) first = r;
    }
  }
  expect(differ, `${differ} of ${ours.length} raw scores differ (first: row ${first})`).toBe(0);
}
