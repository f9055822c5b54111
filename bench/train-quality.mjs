// Quality on the real data: duckfeat's trainer vs LightGBM 4.x on the same arrays, the
// seed's nine features, temporal split (last cutoff = test).
// Usage: npm run build && node bench/train-quality.mjs
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PIPELINE_PARAMS, trainOnParquet } from '../dist/index.js';
import { python, realTables, repo } from './train-data.mjs';

const { train, test } = await realTables();
const configs = [
  ['duckfeat pipeline params (PIPELINE_PARAMS)', PIPELINE_PARAMS],
  ['LightGBM defaults', {}],
];
const rows = [];
for (const [name, params] of configs) {
  const ours = await trainOnParquet({
    data: train,
    label: 'purchased',
    valid: test,
    params: { ...params, num_threads: 1 },
  });
  const lgb = JSON.parse(
    execFileSync(
      python,
      [join(repo, 'bench', 'train-lightgbm.py'), train, 'purchased', JSON.stringify(params), test],
      {
        encoding: 'utf8',
      },
    ),
  );
  rows.push({
    params: name,
    trainRows: ours.trainRows,
    testRows: ours.validRows,
    duckfeatTestAuc: ours.valid.rocAuc.toFixed(6),
    lightgbmTestAuc: lgb.test_auc.toFixed(6),
    diff: (ours.valid.rocAuc - lgb.test_auc).toFixed(6),
    duckfeatTrainAuc: ours.train.rocAuc.toFixed(6),
    lightgbmTrainAuc: lgb.train_auc.toFixed(6),
  });
}
console.table(rows);
