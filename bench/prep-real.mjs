// Real UCI data, 9 cutoffs: duckfeat prep (both executors) vs the seed's pandas per cutoff
// on Ray (and sequential pandas), in the same run.
// Usage: npm run build && node bench/prep-real.mjs [--runs 3]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectPaths } from '../dist/config/paths.js';
import { fingerprintFile, prep } from '../dist/index.js';
import { writeRealTransactions } from './real-transactions.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '..');
const raw = join(repo, '..', 'shared', 'data', 'online_retail.parquet');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const root = mkdtempSync(join(tmpdir(), 'duckfeat-bench-'));
cpSync(join(repo, 'sql'), join(root, 'sql'), { recursive: true });
const tx = join(root, 'transactions.parquet');
await writeRealTransactions(raw, tx);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
const transactions = await fingerprintFile(tx);
for (const executor of ['in-process', 'pool']) {
  const total = [];
  const tasks = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await prep({ paths: projectPaths({ root }), transactions, executor, force: true });
    if (r.outputs.some((o) => o.rows !== 17_724))
      throw new Error('expected 17,724 rows per output');
    total.push((performance.now() - t) / 1000);
    tasks.push((r.timings.tasksMs + r.timings.writeMs) / 1000);
  }
  results[`duckfeat prep --executor ${executor}`] = {
    featureComputation: median(tasks),
    total: median(total),
  };
}

const python = join(repo, '.venv', 'bin', 'python');
for (const mode of ['ray', 'sequential']) {
  if (!existsSync(python)) break;
  try {
    const out = execFileSync(python, [join(here, 'prep-pandas-ray.py'), tx, mode], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const r = JSON.parse(out.trim().split('\n').at(-1));
    results[`pandas per cutoff (${mode})`] = {
      featureComputation: r.compute,
      total: r.total,
      rayInit: r.ray_init,
      rows: r.rows,
    };
  } catch (error) {
    results[`pandas per cutoff (${mode})`] = { error: String(error.message).split('\n')[0] };
  }
}
rmSync(root, { recursive: true, force: true });
const duckfeat = results['duckfeat prep --executor in-process'];
const ray = results['pandas per cutoff (ray)'];
if (ray?.featureComputation !== undefined) {
  const rayWithStartup = ray.rayInit + ray.featureComputation;
  ray['× duckfeat (Ray init + compute / duckfeat feature computation)'] = Number(
    (rayWithStartup / duckfeat.featureComputation).toFixed(1),
  );
  ray['× duckfeat total (Ray init + compute / duckfeat total)'] = Number(
    (rayWithStartup / duckfeat.total).toFixed(1),
  );
}
console.table(results);
console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
