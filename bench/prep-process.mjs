#!/usr/bin/env node
// `duckfeat prep` on the real data as a user runs it — the whole CLI process — and where its
// time goes, beside the pandas feature computation (bench/prep-pandas-ray.py, sequential) as a
// whole process, in the same run. A fresh project copy (as bench/pipeline.mjs makes); one
// warm-up `prep` fills the ingest cache and creates the embedded registry. Per run, interleaved:
//   start-up   `duckfeat --help` (Node, the CLI's module graph, commander)
//   prep       `duckfeat prep --input … --force --json` (27 tasks computed, their
//              materializations queued for the registry)
//   no-reg     the same with `--no-registry`
//   floor      `node bench/prep-floor.mjs`: Node, DuckDB's module and the 27 queries alone (no
//              CLI, repository, ingest check, planning, partitions or combine), the cutoffs
//              given: what no `prep` process can go below
//   pandas     `python bench/prep-pandas-ray.py TX sequential` (Python start, pandas import,
//              read, features per cutoff)
// The prep runs' own figures (ingest check, plan, tasks, write, queueing) come from their
// output; the rest of the wall time is start-up and module loading.
//   before     with `--baseline DIR`: `prep --force --json` of another build in its own project
//              copy (DIR holds its bin/, dist/, sql/, package.json and feature_store/, e.g. an
//              earlier commit's `git archive` built beside this one)
// The ratios are per run (duckfeat's wall ÷ the pandas process's wall, and ÷ its "compute":
// read + features per cutoff, without Python's start and the pandas import), then medians.
// Usage: npm run build && node bench/prep-process.mjs [--runs 3] [--baseline DIR] [--json]
//        [--input PATH] (default ../shared/data/online_retail.parquet)
// (--json: the per-run figures as one JSON line at the end)
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const inputArg = process.argv.indexOf('--input');
const input =
  inputArg > 0
    ? resolve(process.argv[inputArg + 1])
    : resolve(project, '..', 'shared', 'data', 'online_retail.parquet');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const json = process.argv.includes('--json');
const python =
  process.env.DUCKFEAT_BENCH_PYTHON ?? new URL('../.venv/bin/python', import.meta.url).pathname;

/** A fresh project copy of a checkout (its bin/, dist/, sql/, package.json, repository). */
function projectCopy(from) {
  const dir = mkdtempSync(join(tmpdir(), 'duckfeat-bench-prep-'));
  mkdirSync(join(dir, 'feature_store'));
  for (const item of ['bin', 'dist', 'sql', 'package.json']) {
    cpSync(join(from, item), join(dir, item), { recursive: true });
  }
  cpSync(join(from, 'feature_store/feature_store.ts'), join(dir, 'feature_store/feature_store.ts'));
  symlinkSync(join(project, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}
const root = projectCopy(project);

const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
function timed(cmd, args, cwd = root) {
  const started = performance.now();
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}
const baselineArg = process.argv.indexOf('--baseline');
const baseline = baselineArg > 0 ? projectCopy(resolve(process.argv[baselineArg + 1])) : undefined;
const duckfeat = (...args) => timed(process.execPath, [join(root, 'bin/duckfeat.js'), ...args]);
function prep(...extra) {
  const dir = extra[0] === 'baseline' ? baseline : root;
  if (extra[0] === 'baseline') extra.shift();
  const r = timed(
    process.execPath,
    [join(dir, 'bin/duckfeat.js'), 'prep', '--input', input, '--force', '--json', ...extra],
    dir,
  );
  const out = JSON.parse(r.stdout);
  const ingest = /ingest: .* in ([\d.]+) (ms|s)/.exec(r.stderr);
  const ingestMs = ingest ? Number(ingest[1]) * (ingest[2] === 's' ? 1000 : 1) : Number.NaN;
  const t = out.timings;
  return {
    wall: r.seconds,
    ingest: ingestMs / 1000,
    plan: t.planMs / 1000,
    tasks: t.tasksMs / 1000,
    write: t.writeMs / 1000,
    prepTotal: t.totalMs / 1000,
    registry: (out.registry?.ms ?? 0) / 1000,
    queued: out.registry?.queued ?? 0,
    cutoffs: out.cutoffs,
  };
}

try {
  // warm-up: ingest cache, the compiled feature_store.ts; its cutoffs go to the floor run
  const { cutoffs } = prep();
  if (baseline) prep('baseline');
  const tx = join(root, 'data', 'processed', 'transactions.parquet');
  if (!existsSync(tx)) throw new Error(`no cleaned transactions at ${tx}`);
  const rounds = [];
  for (let i = 0; i < runs; i++) {
    const before = load();
    const round = {};
    round.startup = duckfeat('--help').seconds;
    round.prep = prep();
    round.noRegistry = prep('--no-registry');
    if (baseline) round.before = prep('baseline');
    const floorDir = mkdtempSync(join(tmpdir(), 'duckfeat-bench-floor-'));
    try {
      const f = timed(process.execPath, [
        join(project, 'bench', 'prep-floor.mjs'),
        tx,
        floorDir,
        cutoffs.join(','),
      ]);
      round.floor = { wall: f.seconds, ...JSON.parse(f.stdout.trim().split('\n').at(-1)) };
    } finally {
      rmSync(floorDir, { recursive: true, force: true });
    }
    const p = timed(python, [join(project, 'bench', 'prep-pandas-ray.py'), tx, 'sequential']);
    round.pandas = { wall: p.seconds, ...JSON.parse(p.stdout.trim().split('\n').at(-1)) };
    round.load = [before, load()];
    rounds.push(round);
    console.log(JSON.stringify(round));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const m = (f) => median(rounds.map(f)).toFixed(2);
  console.log(
    `\nmedians of ${runs} (load ${Math.min(...rounds.map((r) => r.load[0]))} → ${Math.max(...rounds.map((r) => r.load[1]))}):`,
  );
  console.log(
    '| run | wall s | ingest check | plan | tasks | write | registry | rest (start-up, imports) | ÷ pandas process | ÷ pandas compute |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, key] of [
    ['prep --force', 'prep'],
    ['prep --force --no-registry', 'noRegistry'],
    ...(baseline ? [['baseline: prep --force', 'before']] : []),
  ]) {
    const rest = (r) => r[key].wall - r[key].ingest - r[key].prepTotal - r[key].registry;
    console.log(
      `| ${name} | ${m((r) => r[key].wall)} | ${m((r) => r[key].ingest)} | ${m((r) => r[key].plan)} | ${m((r) => r[key].tasks)} | ${m((r) => r[key].write)} | ${m((r) => r[key].registry)} | ${m(rest)} | ${m((r) => r[key].wall / r.pandas.wall)} | ${m((r) => r[key].wall / r.pandas.compute)} |`,
    );
  }
  console.log(
    `| floor: Node, DuckDB, the 27 queries alone | ${m((r) => r.floor.wall)} | | | ${m((r) => r.floor.queriesSeconds)} | | | | ${m((r) => r.floor.wall / r.pandas.wall)} | ${m((r) => r.floor.wall / r.pandas.compute)} |`,
  );
  console.log(`| duckfeat --help | ${m((r) => r.startup)} | | | | | | | | |`);
  console.log(
    `| pandas process (sequential) | ${m((r) => r.pandas.wall)} | compute ${m((r) => r.pandas.compute)} | | | | | | | |`,
  );
  if (json) {
    console.log(JSON.stringify({ runs, rounds }));
  }
} finally {
  rmSync(root, { recursive: true, force: true });
  if (baseline) rmSync(baseline, { recursive: true, force: true });
}
