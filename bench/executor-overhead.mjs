// Per-task overhead of the bullmq executor (Redis + `duckfeat worker` processes) against
// the in-process executor, with 1, 2 and 3 workers on this machine: many tiny tasks (the
// overhead alone) and the real-data prep (27 tasks). Also Redis' round-trip time, for the
// N-machine projection in BENCHMARKS.md.
// Usage: npm run build && flock /tmp/duckfeat-bench.lock node bench/executor-overhead.mjs
//          [--runs 3] [--tiny 300] [--redis redis://127.0.0.1:6379]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { projectPaths } from '../dist/config/paths.js';
import { fingerprintFile, loadSqlFile, prep } from '../dist/index.js';
import { writeRealTransactions } from './real-transactions.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('runs', 3));
const tinyCount = Number(arg('tiny', 300));
const url = arg('redis', process.env.DUCKFEAT_QUEUE_URL ?? 'redis://127.0.0.1:6379');
const prefix = `duckfeat-bench-${randomBytes(4).toString('hex')}`;
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '..');
const cli = join(repo, 'bin', 'duckfeat.js');
const raw = join(repo, '..', 'shared', 'data', 'online_retail.parquet');
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const dir = mkdtempSync(join(tmpdir(), 'duckfeat-bench-'));
const tx = join(dir, 'transactions.parquet');
await writeRealTransactions(raw, tx);
const transactions = await fingerprintFile(tx);

// The seed's three views over the real data (27 tasks), and one tiny view over many cutoffs.
const realRoot = join(dir, 'real');
const view = async (kind, path) => ({ kind, file: await loadSqlFile(path), keys: ['customer_id'] });
const realViews = [
  await view('feature', join(repo, 'sql', 'features', 'customer_rfm_features.sql')),
  await view('feature', join(repo, 'sql', 'features', 'customer_behavior_features.sql')),
  await view('label', join(repo, 'sql', 'labels', 'purchase_labels.sql')),
];
const tinyRoot = join(dir, 'tiny');
mkdirSync(tinyRoot, { recursive: true });
writeFileSync(
  join(tinyRoot, 'tiny_features.sql'),
  `/*
name: tiny_features
description: one row per cutoff: the cost of a task with no work in it
@param cutoff TIMESTAMP  the cutoff
*/
SELECT 1::BIGINT AS customer_id, $cutoff AS event_timestamp, 1 AS one
`,
);
const tinyViews = [await view('feature', join(tinyRoot, 'tiny_features.sql'))];
const start = Date.UTC(2011, 0, 1);
const tinyCutoffs = Array.from({ length: tinyCount }, (_, i) =>
  new Date(start + i * 86_400_000).toISOString().slice(0, 19).replace('T', ' '),
);

function startWorkers(n) {
  return Promise.all(
    Array.from({ length: n }, () => {
      const child = spawn(process.execPath, [
        cli,
        'worker',
        '--redis',
        url,
        '--queue-prefix',
        prefix,
      ]);
      child.stdout.resume();
      return new Promise((resolve, reject) => {
        let log = '';
        child.stderr.on('data', (d) => {
          log += d;
          if (log.includes('taking tasks from')) resolve(child);
        });
        child.on('close', (code) => reject(new Error(`worker exited ${code}: ${log}`)));
      });
    }),
  );
}

async function stopWorkers(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          child.removeAllListeners('close');
          child.on('close', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function timeRun(root, views, cutoffs, executor, workers) {
  const t = performance.now();
  const r = await prep({
    paths: projectPaths({ root }),
    views,
    transactions,
    force: true,
    ...(cutoffs ? { cutoffs } : {}),
    executor,
    workers,
    queue: { url, prefix },
  });
  return { tasks: r.computed, tasksMs: r.timings.tasksMs, totalMs: performance.now() - t };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const small = Math.max(1, Math.round(tinyCount / 5));
const workloads = [
  [`tiny x${small}`, tinyRoot, tinyViews, tinyCutoffs.slice(0, small)],
  [`tiny x${tinyCount}`, tinyRoot, tinyViews, tinyCutoffs],
  ['real data (27 tasks)', realRoot, realViews, undefined],
];
const rows = [];
const fits = [];
for (const n of [1, 2, 3]) {
  const children = await startWorkers(n);
  try {
    const medians = {};
    for (const [name, root, views, cutoffs] of workloads) {
      const figures = { 'in-process': [], bullmq: [] };
      let tasks = 0;
      let lastLoad = '';
      for (let i = 0; i < runs; i++) {
        // Interleaved, the order alternating, so both see the same machine.
        const order = i % 2 === 0 ? ['in-process', 'bullmq'] : ['bullmq', 'in-process'];
        for (const executor of order) {
          const r = await timeRun(root, views, cutoffs, executor, n);
          figures[executor].push(r.tasksMs);
          tasks = r.tasks;
        }
        lastLoad = load();
      }
      const local = median(figures['in-process']);
      const remote = median(figures.bullmq);
      medians[name] = { tasks, local, remote };
      rows.push({
        workload: name,
        workers: n,
        tasks,
        'in-process ms': Math.round(local),
        'bullmq ms': Math.round(remote),
        'in-process ms/task': Number((local / tasks).toFixed(2)),
        'bullmq ms/task': Number((remote / tasks).toFixed(2)),
        ratio: Number((remote / local).toFixed(2)),
        load: lastLoad,
      });
    }
    // Tiny tasks at two counts: time = per-run cost + count x per-task cost (wall clock).
    const a = medians[workloads[0][0]];
    const b = medians[workloads[1][0]];
    const slope = (key) => (b[key] - a[key]) / (b.tasks - a.tasks);
    const fixed = (key) => a[key] - slope(key) * a.tasks;
    fits.push({
      workers: n,
      'in-process ms/task': Number(slope('local').toFixed(2)),
      'bullmq ms/task': Number(slope('remote').toFixed(2)),
      'overhead ms/task (wall)': Number((slope('remote') - slope('local')).toFixed(2)),
      // n workers share the wall clock: each spends n times the wall share on a task.
      'overhead ms/task (worker time)': Number(((slope('remote') - slope('local')) * n).toFixed(2)),
      'in-process ms/run': Math.round(fixed('local')),
      'bullmq ms/run': Math.round(fixed('remote')),
    });
  } finally {
    await stopWorkers(children);
  }
}

// Redis round trip (the projection's unit): sequential PINGs.
const redis = new Redis(url);
const pings = [];
for (let i = 0; i < 500; i++) {
  const t = process.hrtime.bigint();
  await redis.ping();
  pings.push(Number(process.hrtime.bigint() - t) / 1e6);
}
let cursor = '0';
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
  cursor = next;
  if (keys.length > 0) await redis.del(...keys);
} while (cursor !== '0');
redis.disconnect();
rmSync(dir, { recursive: true, force: true });

console.table(rows);
console.table(fits);
console.log(`Redis PING round trip, median of 500: ${median(pings).toFixed(3)} ms; load ${load()}`);
console.log(JSON.stringify({ rows, fits, redisPingMsMedian: Number(median(pings).toFixed(3)) }));
