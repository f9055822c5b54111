import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingError } from '../../src/errors.js';
import { parseModel } from '../../src/training/model-text.js';
import { syntheticData } from './fixtures.js';
import { python } from './lightgbm-reference.js';

// Real LightGBM models of other objectives, and LightGBM's own predictions of them.
const SCRIPT = `
import sys, numpy as np, lightgbm as lgb
d = sys.argv[1]
X = np.fromfile(d + '/X.f64', dtype='<f8').reshape(-1, 5)
y = np.fromfile(d + '/y.f64', dtype='<f8')
target = X[:, 0] * 2 + np.nan_to_num(X[:, 1]) + X[:, 2] * 0.5
count = np.floor(np.exp(0.4 * X[:, 0] + 0.1 * X[:, 2]))
relevance = np.clip(np.floor(target - target.min()), 0, 4)
base = {'verbose': -1, 'num_threads': 1, 'num_leaves': 15}
runs = {
  'regression': ({'objective': 'regression'}, target, None),
  'regression_sqrt': ({'objective': 'regression', 'reg_sqrt': True}, target, None),
  'poisson': ({'objective': 'poisson'}, count, None),
  'cross_entropy': ({'objective': 'cross_entropy'}, y, None),
  'lambdarank': ({'objective': 'lambdarank'}, relevance, [50] * (len(y) // 50)),
  'rf': ({'objective': 'binary', 'boosting': 'rf', 'bagging_fraction': 0.7, 'bagging_freq': 1}, y, None),
}
for name, (params, label, group) in runs.items():
  ds = lgb.Dataset(X, label, group=group)
  booster = lgb.train({**base, **params}, ds, num_boost_round=20)
  booster.save_model(d + '/' + name + '.txt')
  booster.predict(X).astype('<f8').tofile(d + '/' + name + '.f64')
`;

describe.skipIf(!python)('loading LightGBM models of other objectives (real LightGBM)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duckfeat-lgb-obj-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = syntheticData(2000, 5);
  const numRows = data.label.length;
  beforeAll(() => {
    const X = new Float64Array(numRows * 5);
    for (let f = 0; f < 5; f++) {
      for (let r = 0; r < numRows; r++) X[r * 5 + f] = data.features[f]![r]!;
    }
    writeFileSync(join(dir, 'X.f64'), Buffer.from(X.buffer));
    writeFileSync(join(dir, 'y.f64'), Buffer.from(Float64Array.from(data.label).buffer));
    writeFileSync(join(dir, 'objectives.py'), SCRIPT);
    execFileSync(python!, [join(dir, 'objectives.py'), dir], { stdio: 'inherit' });
  });
  const text = (name: string) => readFileSync(join(dir, `${name}.txt`), 'utf8');
  const lightgbm = (name: string) => {
    const b = readFileSync(join(dir, `${name}.f64`));
    return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  };

  it.each(['regression', 'regression_sqrt', 'poisson', 'cross_entropy', 'lambdarank', 'rf'])(
    '%s: predict() returns what LightGBM predicts',
    (name) => {
      const model = parseModel(text(name));
      const ours = model.predict(data.features);
      const theirs = lightgbm(name);
      for (let r = 0; r < numRows; r++) {
        expect(Math.abs(ours[r]! - theirs[r]!)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(theirs[r]!)),
        );
      }
    },
  );

  it('refuses probabilities from a regression, poisson or ranking model', () => {
    for (const name of ['regression', 'poisson', 'lambdarank']) {
      expect(() => parseModel(text(name)).predictProba(data.features)).toThrow(
        'not a binary classifier',
      );
    }
  });

  it('refuses an objective it does not know, naming it', () => {
    const changed = text('regression').replace(/^objective=.*$/m, 'objective=custom_loss');
    expect(() => parseModel(changed)).toThrow(TrainingError);
    expect(() => parseModel(changed)).toThrow("objective 'custom_loss' is not supported");
  });

  it('refuses SHAP contributions of an average_output (rf) model', () => {
    expect(() => parseModel(text('rf')).predictContrib(data.features)).toThrow('average_output');
  });
});
