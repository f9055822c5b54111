// Training speed, whole process against whole process: `duckfeat train --data` vs LightGBM
// 4.x (Python, num_threads=1), default parameters, on the real training set, a synthetic
// 1M × 9 table and a synthetic 2M × 28 one. Also reports the time inside the trainer of each,
// and per data set the ratio duckfeat num_threads=1 / LightGBM (whole process).
// Usage: npm run build && node bench/train-speed.mjs [--runs 3] [--big-runs 1] [--rows 1000000]
//          [--wide-rows 2000000] [--no-wide] [--only-synthetic] [--json]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  out,
  python,
  realTables,
  repo,
  syntheticTable,
  wideSyntheticTable,
} from './train-data.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('--runs', 3);
const bigRuns = arg('--big-runs', 1);
const rows = arg('--rows', 1_000_000);
const wideRows = arg('--wide-rows', 2_000_000);
const asJson = process.argv.includes('--json');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(cmd, args) {
  const started = performance.now();
  const stdout = execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { seconds: (performance.now() - started) / 1000, json: JSON.parse(stdout) };
}

const peers = (data, label) => ({
  'duckfeat (default threads)': () => {
    const r = timed('node', [
      join(repo, 'bin', 'duckfeat.js'),
      'train',
      '--data',
      data,
      '--label',
      label,
      '--out',
      join(out, 'speed_model.txt'),
      '--json',
    ]);
    return { process: r.seconds, trainer: r.json.trainSeconds, auc: r.json.train.rocAuc };
  },
  'duckfeat (num_threads=1)': () => {
    const r = timed('node', [
      join(repo, 'bin', 'duckfeat.js'),
      'train',
      '--data',
      data,
      '--label',
      label,
      '--params',
      '{"num_threads":1}',
      '--out',
      join(out, 'speed_model.txt'),
      '--json',
    ]);
    return { process: r.seconds, trainer: r.json.trainSeconds, auc: r.json.train.rocAuc };
  },
  'LightGBM 4.x (num_threads=1)': () => {
    const r = timed(python, [join(repo, 'bench', 'train-lightgbm.py'), data, label, '{}']);
    return { process: r.seconds, trainer: r.json.train_seconds, auc: r.json.train_auc };
  },
});

const onlySynthetic = process.argv.includes('--only-synthetic');
const big = await syntheticTable(rows);
const sets = [[`synthetic ${rows.toLocaleString('en')} × 9`, big, 'y', bigRuns]];
if (!process.argv.includes('--no-wide')) {
  const wide = await wideSyntheticTable(wideRows, 28);
  sets.push([`synthetic ${wideRows.toLocaleString('en')} × 28`, wide, 'y', bigRuns]);
}
if (!onlySynthetic) {
  const { train } = await realTables();
  sets.unshift(['real training set (15,307 × 9)', train, 'purchased', runs]);
}
const table = [];
const ratios = [];
for (const [name, data, label, n] of sets) {
  const seconds = {};
  for (const [peer, run] of Object.entries(peers(data, label))) {
    const results = Array.from({ length: n }, run);
    seconds[peer] = median(results.map((r) => r.process));
    table.push({
      data: name,
      peer,
      runs: n,
      'process s (median)': seconds[peer].toFixed(2),
      'trainer s (median)': median(results.map((r) => r.trainer)).toFixed(2),
      'train AUC': results[0].auc.toFixed(5),
      'load avg (1 min)': loadavg()[0].toFixed(1),
    });
  }
  ratios.push({
    data: name,
    'duckfeat 1 thread / LightGBM 1 thread (process)': (
      seconds['duckfeat (num_threads=1)'] / seconds['LightGBM 4.x (num_threads=1)']
    ).toFixed(2),
    'duckfeat default / LightGBM 1 thread (process)': (
      seconds['duckfeat (default threads)'] / seconds['LightGBM 4.x (num_threads=1)']
    ).toFixed(2),
  });
}
if (asJson) {
  console.log(JSON.stringify({ table, ratios }, null, 2));
} else {
  console.table(table);
  console.table(ratios);
}
