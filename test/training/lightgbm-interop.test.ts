import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainGBDT } from '../../src/training/gbdt.js';
import { rocAuc } from '../../src/training/metrics.js';
import { loadModel, saveModel } from '../../src/training/model-file.js';
import { syntheticData } from './fixtures.js';

/** A Python with lightgbm (set by .ci/run; locally: .venv/bin/python). */
const python = process.env['DUCKFEAT_TEST_PYTHON'];
if (!python) {
  // In CI (.ci/run sets CI=true and installs LightGBM) a missing reference is a failure.
  if (process.env['CI'] === 'true') {
    throw new Error('LightGBM interop test: DUCKFEAT_TEST_PYTHON is not set in CI');
  }
  console.log('LightGBM interop test skipped: set DUCKFEAT_TEST_PYTHON to a python with lightgbm');
}

// Trains LightGBM on the same rows, predicts with its model and with ours (both directions).
const SCRIPT = `
import sys, json, numpy as np, lightgbm as lgb
d = sys.argv[1]
X = np.loadtxt(d + '/X.csv', delimiter=',')
y = np.loadtxt(d + '/y.csv')
params = json.loads(open(d + '/params.json').read())
params.update({'objective': 'binary', 'verbose': -1, 'num_threads': 1})
booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=params['num_iterations'])
booster.save_model(d + '/lightgbm_model.txt')
np.savetxt(d + '/lightgbm_pred.csv', booster.predict(X), fmt='%.17g')
np.savetxt(d + '/lightgbm_contrib.csv', booster.predict(X[:200], pred_contrib=True), delimiter=',', fmt='%.17g')
ours = lgb.Booster(model_file=d + '/duckfeat_model.txt')
np.savetxt(d + '/ours_in_lightgbm_pred.csv', ours.predict(X), fmt='%.17g')
np.savetxt(d + '/ours_in_lightgbm_contrib.csv', ours.predict(X[:200], pred_contrib=True), delimiter=',', fmt='%.17g')
`;

const readMatrix = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(',').map(Number));

describe.skipIf(!python)('LightGBM interop (real LightGBM via DUCKFEAT_TEST_PYTHON)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duckfeat-lgb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = syntheticData(4000, 11);
  const numRows = data.label.length;
  const params = { num_iterations: 40, num_leaves: 15, min_data_in_leaf: 10, lambda_l2: 1 };

  it('each side loads the other side model and predicts the same', async () => {
    const ours = await trainGBDT({ ...data, params });
    // LightGBM reads the generic names Column_i; ours uses a..e: either loads fine.
    await saveModel(ours, join(dir, 'duckfeat_model.txt'));
    const rows = Array.from({ length: numRows }, (_, r) =>
      data.features.map((c) => (Number.isNaN(c[r]!) ? 'nan' : String(c[r]!))).join(','),
    );
    writeFileSync(join(dir, 'X.csv'), `${rows.join('\n')}\n`);
    writeFileSync(join(dir, 'y.csv'), `${Array.from(data.label).join('\n')}\n`);
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    writeFileSync(join(dir, 'interop.py'), SCRIPT);
    execFileSync(python!, [join(dir, 'interop.py'), dir], { stdio: 'inherit' });

    // duckfeat model → LightGBM: same probabilities and SHAP values.
    const ourProba = ours.predictProba(data.features);
    const inLightgbm = readMatrix(join(dir, 'ours_in_lightgbm_pred.csv')).map((r) => r[0]!);
    let maxDiff = 0;
    for (let r = 0; r < numRows; r++)
      maxDiff = Math.max(maxDiff, Math.abs(ourProba[r]! - inLightgbm[r]!));
    expect(maxDiff).toBeLessThanOrEqual(1e-9);
    const head = data.features.map((c) => c.slice(0, 200));
    const ourContrib = ours.predictContrib(head);
    const lgbContribOfOurs = readMatrix(join(dir, 'ours_in_lightgbm_contrib.csv'));
    for (let r = 0; r < 200; r++) {
      for (let f = 0; f <= 5; f++)
        expect(ourContrib[r]![f]).toBeCloseTo(lgbContribOfOurs[r]![f]!, 9);
    }

    // LightGBM model → duckfeat: same probabilities and SHAP values.
    const theirs = await loadModel(join(dir, 'lightgbm_model.txt'));
    const theirProba = theirs.predictProba(data.features);
    const lgbProba = readMatrix(join(dir, 'lightgbm_pred.csv')).map((r) => r[0]!);
    maxDiff = 0;
    for (let r = 0; r < numRows; r++)
      maxDiff = Math.max(maxDiff, Math.abs(theirProba[r]! - lgbProba[r]!));
    expect(maxDiff).toBeLessThanOrEqual(1e-9);
    const theirContrib = theirs.predictContrib(head);
    const lgbContrib = readMatrix(join(dir, 'lightgbm_contrib.csv'));
    for (let r = 0; r < 200; r++) {
      for (let f = 0; f <= 5; f++) expect(theirContrib[r]![f]).toBeCloseTo(lgbContrib[r]![f]!, 9);
    }

    // Same algorithm: the two trainers agree on the training AUC (in practice they build the
    // same trees; float summation order can differ in the last bits).
    expect(Math.abs(rocAuc(ourProba, data.label) - rocAuc(lgbProba, data.label))).toBeLessThan(
      1e-3,
    );
  });
});
