#!/usr/bin/env node
// The whole pipeline on the real data with ingestion cached, as a user runs it:
// `npx zx scripts/all.mjs --input ../shared/data/online_retail.parquet` in a fresh project
// copy. One warm-up run fills the ingest cache; each measured run starts from
// `npx zx scripts/clean.mjs` (removes features, partitions, registry, models, target; keeps
// the ingest cache). Prints per-step and total wall times and the load average.
// Usage: npm run build && node bench/pipeline.mjs [--runs 3] [--scripts-from COMMIT]
// (--scripts-from: run that commit's scripts/ instead, e.g. 7412fd8 = one process per step).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const input = resolve(project, '..', 'shared', 'data', 'online_retail.parquet');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

const root = mkdtempSync(join(tmpdir(), 'duckfeat-bench-pipeline-'));
mkdirSync(join(root, 'feature_store'));
for (const item of ['bin', 'dist', 'sql', 'scripts', 'package.json']) {
  cpSync(join(project, item), join(root, item), { recursive: true });
}
cpSync(
  join(project, 'feature_store/feature_store.ts'),
  join(root, 'feature_store/feature_store.ts'),
);
symlinkSync(join(project, 'node_modules'), join(root, 'node_modules'), 'dir');
const fromArg = process.argv.indexOf('--scripts-from');
if (fromArg > 0) {
  const commit = process.argv[fromArg + 1];
  rmSync(join(root, 'scripts'), { recursive: true });
  const tar = spawnSync('git', ['archive', commit, 'scripts'], { cwd: project });
  spawnSync('tar', ['-x', '-C', root], { input: tar.stdout });
  console.log(`scripts/ from ${commit}`);
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
function pipeline() {
  const started = performance.now();
  const r = spawnSync('npx', ['zx', 'scripts/all.mjs', '--input', input], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`all.mjs failed:\n${r.stdout}\n${r.stderr}`);
  const steps = Object.fromEntries(
    [...r.stdout.matchAll(/^ {2}(\w+) done in ([\d.]+) s$/gm)].map((m) => [m[1], Number(m[2])]),
  );
  const auc = /test AUC\s+([\d.]+)/.exec(r.stdout)?.[1];
  return { wall, steps, auc };
}

try {
  console.log(`project copy ${root}; load before warm-up ${load()}`);
  pipeline(); // warm-up: fills the ingest cache (and PGlite's initdb template)
  const results = [];
  for (let i = 0; i < runs; i++) {
    spawnSync('npx', ['zx', 'scripts/clean.mjs'], { cwd: root, encoding: 'utf8' });
    const before = load();
    const result = pipeline();
    results.push(result);
    const steps = Object.entries(result.steps)
      .map(([name, s]) => `${name} ${s.toFixed(2)}`)
      .join(', ');
    console.log(
      `run ${i + 1}: total ${result.wall.toFixed(2)} s wall (${steps}); test AUC ${result.auc}; load before ${before}, after ${load()}`,
    );
  }
  const walls = results.map((r) => r.wall).sort((a, b) => a - b);
  console.log(`median total ${walls[Math.floor(walls.length / 2)].toFixed(2)} s over ${runs} runs`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
