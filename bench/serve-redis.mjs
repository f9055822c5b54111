#!/usr/bin/env node
// `duckfeat serve` against a Feast-like Python server (bench/serve-python-peer.py: FastAPI +
// uvicorn + redis-py), both reading the same Redis data, measured with autocannon in the
// same run on loopback. The project is a copy of this checkout with the pipeline run on the
// real data (cached in bench/.out/serve-project), plus a 50-feature view for the wide case,
// materialized to the shared Redis under a key prefix of its own (removed at the end).
//
// Scenarios (each server in turn, the order alternating between rounds):
//   one      1 entity x the 9-feature service, 1,000 requests/s for --duration s: latency
//   burst    the same through autocannon's `overallRate: 1000` (see below): latency
//   max      1 entity x 9 features, --connections connections, no rate limit: throughput
//   wide     100 entities x 50 features, 100 requests/s: latency
//   predict  /predict vs /get-online-features (duckfeat only), 1 entity, 1,000 requests/s
// The rate scenarios (one, wide, predict) send their requests evenly spaced, request i at
// t0 + i / rate (bench/paced-load.mjs): autocannon's `overallRate` sends each second's
// requests as fast as the server answers at the start of that second and then waits
// (autocannon issue #174), so its "1,000 req/s" is a burst at full speed every second; the
// `burst` scenario keeps that measurement beside the paced one. autocannon drives `max`.
// Latency percentiles are computed from every response's own time (autocannon's `response`
// event, microsecond resolution, or the paced generator's), not from autocannon's 1-ms
// histogram. Each scenario also gives the server's CPU time per request (user + system of
// its process, from /proc), which depends much less on other load than latencies do.
//
// On a machine with 2 or more cores the load generator (this process) is pinned to CPU 0 and
// both servers to CPU 1 (`taskset`; the shared Redis is not pinned), so that autocannon does
// not compete with the server it measures; `--no-pin` leaves scheduling to the OS.
// At the end, a summary gives each goal of issue #11 as met / not met (the median over the
// rounds); `--json` prints the results and the summary as JSON instead.
//
// (`--setup-only`: build the cached project and stop, before taking the benchmark lock.)
// Usage: npm run build && flock /tmp/duckfeat-bench.lock node bench/serve-redis.mjs \
//          [--python .venv/bin/python] [--duration 10] [--rounds 2] [--connections 32] \
//          [--no-pin] [--json]
// The python needs fastapi uvicorn redis (and uvloop httptools hiredis, as Feast installs
// uvicorn[standard]); default: $DUCKFEAT_BENCH_PYTHON, else python3.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { serviceBodies } from './paced-load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const checkout = resolve(here, '..');
const input = resolve(checkout, '..', 'shared', 'data', 'online_retail.parquet');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const python = arg('python', process.env.DUCKFEAT_BENCH_PYTHON ?? 'python3');
const duration = Number(arg('duration', '10'));
const rounds = Number(arg('rounds', '2'));
const connections = Number(arg('connections', '32'));
const json = process.argv.includes('--json');
const cores = Number(spawnSync('nproc', [], { encoding: 'utf8' }).stdout?.trim() || '1');
const pin =
  !process.argv.includes('--no-pin') &&
  cores >= 2 &&
  spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const log = json ? (...a) => console.error(...a) : (...a) => console.log(...a);
const redisUrl = 'redis://127.0.0.1:6379';
const keyPrefix = `duckfeat-bench-${process.pid}`;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// ---- the project: pipeline on the real data (cached), a wide view, materialized to Redis
const root = join(here, '.out', 'serve-project');
function run(command, args, env = {}) {
  const r = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

mkdirSync(join(root, 'feature_store'), { recursive: true });
for (const item of ['bin', 'dist', 'sql', 'scripts', 'package.json']) {
  cpSync(join(checkout, item), join(root, item), { recursive: true });
}
if (!existsSync(join(root, 'node_modules'))) {
  symlinkSync(join(checkout, 'node_modules'), join(root, 'node_modules'), 'dir');
}
const WIDE = 50;
const repoText = readFileSync(join(checkout, 'feature_store', 'feature_store.ts'), 'utf8')
  .replace(
    "defineConfig({ project: 'retail' })",
    `defineConfig({ project: 'retail', onlineStore: { type: 'redis', url: '${redisUrl}', keyPrefix: '${keyPrefix}' } })`,
  )
  .concat(`
export const wideFeatures = featureView({
  name: 'wide_features',
  entities: [customer],
  schema: { ${Array.from({ length: WIDE }, (_, i) => `f${String(i).padStart(2, '0')}: 'float64'`).join(', ')} },
  source: fileSource({ path: 'data/wide_features.parquet', timestampField: 'event_timestamp' }),
  ttl: 0,
});
export const wideService = featureService({ name: 'wide_service', features: [wideFeatures] });
`);
writeFileSync(join(root, 'feature_store', 'feature_store.ts'), repoText);
if (!existsSync(join(root, 'models', 'predictions.parquet'))) {
  log('running the pipeline on the real data once (cached in bench/.out/serve-project)');
  // The wide view's file must exist for apply: write it from the label spine after prep.
  run('npx', ['zx', 'scripts/prep.mjs', '--input', input]);
}
writeWide();
run('npx', ['zx', 'scripts/apply.mjs']);
if (!existsSync(join(root, 'models', 'predictions.parquet'))) {
  run('npx', ['zx', 'scripts/train.mjs']);
  run('npx', ['zx', 'scripts/predict.mjs']);
}
// The latest row of every customer of each view into Redis, through the library's push (the
// rows `duckfeat materialize --end <latest cutoff>` writes).
run(process.execPath, [
  '--input-type=module',
  '-e',
  `import { OnlineFeatureStore } from './dist/online/online-feature-store.js';
   import { DuckDBInstance } from '@duckdb/node-api';
   const online = await OnlineFeatureStore.open({ root: '.', onWarning: () => {} });
   const c = await (await DuckDBInstance.create()).connect();
   for (const view of ['customer_rfm_features', 'customer_behavior_features', 'wide_features']) {
     const r = await c.runAndReadAll(\`SELECT * EXCLUDE (event_timestamp), strftime(event_timestamp, '%Y-%m-%d %H:%M:%S') AS event_timestamp
       FROM read_parquet('feature_store/data/\${view}.parquet')
       QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY event_timestamp DESC) = 1\`);
     const rows = r.getRowObjectsJS().map((row) =>
       Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
     for (let i = 0; i < rows.length; i += 2000) {
       await online.pushOnline({ featureView: view, rows: rows.slice(i, i + 2000) });
     }
   }
   await online.close();`,
]);
const customers = readCustomers();
log(`${customers.length} customers in Redis (prefix ${keyPrefix})`);
if (process.argv.includes('--setup-only')) {
  spawnSync('sh', [
    '-c',
    `redis-cli -h 127.0.0.1 --scan --pattern '${keyPrefix}:*' | xargs -r -n 1000 redis-cli -h 127.0.0.1 unlink > /dev/null`,
  ]);
  process.exit(0);
}

function writeWide() {
  const sql = `COPY (SELECT customer_id, event_timestamp, ${Array.from(
    { length: WIDE },
    (_, i) => `hash(customer_id, ${i}) % 100000 / 1000.0 AS f${String(i).padStart(2, '0')}`,
  ).join(', ')} FROM read_parquet('feature_store/data/purchase_labels.parquet')
  ) TO 'feature_store/data/wide_features.parquet' (FORMAT parquet)`;
  run(process.execPath, [
    '--input-type=module',
    '-e',
    `import { DuckDBInstance } from '@duckdb/node-api';
     const c = await (await DuckDBInstance.create()).connect();
     await c.run(${JSON.stringify(sql)});`,
  ]);
}

function readCustomers() {
  const out = run(process.execPath, [
    '--input-type=module',
    '-e',
    `import { DuckDBInstance } from '@duckdb/node-api';
     const c = await (await DuckDBInstance.create()).connect();
     const r = await c.runAndReadAll("SELECT customer_id::VARCHAR FROM read_parquet('models/predictions.parquet') ORDER BY customer_id");
     console.log(JSON.stringify(r.getRows().map((x) => x[0])));`,
  ]);
  return JSON.parse(out).map(Number);
}

// ---- the servers
async function definitionsForPeer() {
  const out = run(process.execPath, [
    '--input-type=module',
    '-e',
    `import { openRegistry } from './dist/registry/registry.js';
     import { projectPaths } from './dist/config/paths.js';
     const r = await openRegistry({ paths: projectPaths() });
     const views = await r.resolveFeatureViews();
     const services = await r.listFeatureServices();
     await r.close();
     console.log(JSON.stringify({ views, services }));`,
  ]);
  const file = join(root, 'peer-definitions.json');
  writeFileSync(file, out);
  return file;
}

function start(name, command, args, port) {
  const child = pin
    ? spawn('taskset', ['-c', '1', command, ...args], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    async ready() {
      for (let i = 0; i < 1200; i++) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/health`);
          if (r.ok) return;
        } catch {}
        if (child.exitCode !== null) throw new Error(`${name} exited:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${name} did not start:\n${stderr}`);
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}

// ---- load
/** CPU seconds (user + system) the process has used so far, from /proc (taskset execs it). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resolves once the server has used under 5 ms of CPU in 100 ms (at most 60 s). */
async function idleServer(server) {
  for (let i = 0; i < 600; i++) {
    const before = cpuSeconds(server.child.pid);
    await new Promise((r) => setTimeout(r, 100));
    if (cpuSeconds(server.child.pid) - before < 0.005) return;
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function body(entities, service) {
  return { entities, service, next: serviceBodies(customers, entities, service) };
}

/** One paced scenario in a fresh generator process (bench/paced-load.mjs), on this CPU. */
function pacedInChild(options) {
  return new Promise((resolve, reject) => {
    const { next: _, ...spec } = options.next;
    const child = spawn(
      process.execPath,
      [
        join(here, 'paced-load.mjs'),
        JSON.stringify({
          url: options.url,
          path: options.path,
          rate: options.rate,
          connections: options.connections,
          seconds: options.seconds,
          warmupSeconds: options.warmupSeconds,
          body: { customers, ...spec },
        }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`paced-load exited with ${code}`)),
    );
  });
}

/**
 * One scenario against one server: paced (`rate` and `paced`: evenly spaced requests) or
 * through autocannon (with `rate`: its per-second `overallRate`; without: unbounded).
 */
async function measure(server, { path, next, rate, conns, seconds, paced = false }) {
  const cpuBefore = cpuSeconds(server.child.pid);
  let times = [];
  let errors = 0;
  let lateP99 = null;
  let elapsed = seconds;
  let served; // requests the CPU time was spent on (the paced warm-up's too)
  if (paced) {
    const result = await pacedInChild({
      url: server.url,
      path,
      next,
      rate,
      connections: conns,
      seconds,
      // Each paced scenario starts with 2 s of its own load, not recorded (see paced-load.mjs).
      warmupSeconds: 2,
    });
    ({ times, errors } = result);
    lateP99 = result.lateP99Ms;
    elapsed = Math.max(seconds, result.seconds);
    served = result.answered;
  } else {
    const instance = autocannon({
      url: server.url + path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: conns,
      duration: seconds,
      ...(rate ? { overallRate: rate } : {}),
      requests: [{ setupRequest: (req) => ({ ...req, body: next.next() }) }],
    });
    instance.on('response', (_client, status, _bytes, time) => {
      if (status === 200) times.push(time);
      else errors++;
    });
    const result = await instance;
    errors += result.errors + result.timeouts;
  }
  // A server that fell behind is still working off its backlog: wait until it is idle, so
  // that the backlog neither counts as this scenario's idle time nor runs into the next one.
  await idleServer(server);
  const cpu = cpuSeconds(server.child.pid) - cpuBefore;
  times.sort((a, b) => a - b);
  return {
    server: server.name,
    requests: times.length,
    errors,
    rps: times.length / elapsed,
    p50: percentile(times, 50),
    p90: percentile(times, 90),
    p99: percentile(times, 99),
    max: times.at(-1),
    cpuMsPerRequest:
      (served ?? times.length) > 0 ? (cpu * 1000) / (served ?? times.length) : Number.NaN,
    ...(lateP99 !== null ? { sentLateP99: lateP99 } : {}),
    load: load(),
  };
}

const servers = [];
// The load generator (every thread of this process) on CPU 0; the servers start on CPU 1.
if (pin) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)]);
try {
  const defs = await definitionsForPeer();
  const node = start(
    'duckfeat',
    process.execPath,
    [join(root, 'bin', 'duckfeat.js'), 'serve', '--port', '6591'],
    6591,
  );
  const peer = start(
    'python-peer',
    python,
    [
      join(here, 'serve-python-peer.py'),
      '--registry',
      defs,
      '--redis-url',
      redisUrl,
      '--key-prefix',
      `${keyPrefix}:retail:`,
      '--port',
      '6592',
    ],
    6592,
  );
  servers.push(node, peer);
  await Promise.all(servers.map((s) => s.ready()));

  // Same answer from both (values, statuses, timestamps) before timing anything.
  const probe = JSON.stringify({
    feature_service: 'purchase_model_features',
    entities: { customer_id: customers.slice(0, 5).concat([-1]) },
  });
  const answers = await Promise.all(
    servers.map(async (s) =>
      (
        await fetch(`${s.url}/get-online-features`, {
          method: 'POST',
          body: probe,
          headers: { 'content-type': 'application/json' },
        })
      ).json(),
    ),
  );
  if (JSON.stringify(answers[0]) !== JSON.stringify(answers[1])) {
    throw new Error(
      `the servers answer differently:\n${JSON.stringify(answers[0])}\n${JSON.stringify(answers[1])}`,
    );
  }
  log('both servers give the same response JSON');

  const results = [];
  const show = (scenario, r) => {
    results.push({ scenario, ...r });
    log(
      `${scenario.padEnd(8)} ${r.server.padEnd(12)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(3)} ms  p90 ${r.p90.toFixed(3)}  p99 ${r.p99.toFixed(3)}  max ${r.max.toFixed(1)}  cpu ${r.cpuMsPerRequest.toFixed(3)} ms/req  errors ${r.errors}${r.sentLateP99 !== undefined ? `  sent late p99 ${r.sentLateP99.toFixed(2)} ms` : ''}  load ${r.load}`,
    );
  };
  log(
    `load generator ${pin ? 'on CPU 0, servers on CPU 1 (taskset)' : 'and servers unpinned'}; ${cores} cores; load ${load()}`,
  );
  // The load of each scenario (and of the unrecorded warm-ups): 1 entity of the 9-feature
  // service, or 100 entities of the 50-feature one.
  const ONE = { path: '/get-online-features', entities: 1, service: 'purchase_model_features' };
  const WIDE_LOAD = { path: '/get-online-features', entities: 100, service: 'wide_service' };
  const loadOf = (shape, options) => ({
    path: shape.path,
    next: body(shape.entities, shape.service),
    ...options,
  });
  const scenarios = [
    ['one', ONE, { rate: 1000, conns: 4, paced: true }],
    ['burst', ONE, { rate: 1000, conns: 4 }],
    ['max', ONE, { conns: connections }],
    ['wide', WIDE_LOAD, { rate: 100, conns: 2, paced: true }],
  ];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      // Warm-up, not recorded: JIT, connection pools, the young generation grown to its
      // size. The first paced run after only the unbounded one was still 0.5-1 ms slower
      // at p99 than the later ones, so a paced run and a few wide requests come first too.
      await measure(s, loadOf(ONE, { conns: 4, seconds: 2 }));
      await measure(s, loadOf(ONE, { rate: 1000, conns: 4, seconds: 3, paced: true }));
      await measure(s, loadOf(WIDE_LOAD, { rate: 20, conns: 2, seconds: 2, paced: true }));
    }
    for (const [name, shape, options] of scenarios) {
      for (const s of order) {
        show(name, await measure(s, loadOf(shape, { ...options, seconds: duration })));
      }
    }
    const paths =
      round % 2 === 0 ? ['/get-online-features', '/predict'] : ['/predict', '/get-online-features'];
    for (const path of paths) {
      show(
        path === '/predict' ? 'predict' : 'features',
        await measure(
          node,
          loadOf({ ...ONE, path }, { rate: 1000, conns: 4, seconds: duration, paced: true }),
        ),
      );
    }
  }
  const summary = summarize(results);
  const report = { pinned: pin, cores, duration, rounds, connections, results, summary };
  writeFileSync(join(here, '.out', 'serve-redis.json'), JSON.stringify(report, null, 2));
  if (json) console.log(JSON.stringify(report, null, 2));
  else printSummary(summary);
} finally {
  for (const s of servers) s.stop();
  // Remove this run's keys from the shared Redis (only ours: the prefix is this process's).
  spawnSync('sh', [
    '-c',
    `redis-cli -h 127.0.0.1 --scan --pattern '${keyPrefix}:*' | xargs -r -n 1000 redis-cli -h 127.0.0.1 unlink > /dev/null`,
  ]);
}

// ---- issue #11's goals, per round and as the median over rounds
function summarize(results) {
  const pick = (scenario, server) =>
    results.filter((r) => r.scenario === scenario && r.server === server);
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? Number.NaN : (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
  };
  const goal = (name, target, perRound, met, unit) => {
    const value = median(perRound);
    return { goal: name, target, unit, perRound, median: value, met: met(value) };
  };
  const node = (scenario) => pick(scenario, 'duckfeat');
  const peer = (scenario) => pick(scenario, 'python-peer');
  const ratio = (scenario, field) =>
    node(scenario).map((r, i) => r[field] / (peer(scenario)[i]?.[field] ?? Number.NaN));
  // The 1,000 req/s scenario counts only if the server kept up with the offered rate.
  const kept = (r) => r.rps >= 0.95 * 1000;
  return [
    goal(
      '1 entity x 9 features at 1,000 req/s: duckfeat p99',
      '<= 2 ms',
      node('one').map((r) => (kept(r) ? r.p99 : Number.POSITIVE_INFINITY)),
      (v) => v <= 2,
      'ms',
    ),
    goal(
      '  (the Python peer p99, same scenario)',
      'reference',
      peer('one').map((r) => r.p99),
      () => null,
      'ms',
    ),
    goal(
      '  (autocannon overallRate 1,000: bursts each second, duckfeat p99)',
      'reference',
      node('burst').map((r) => r.p99),
      () => null,
      'ms',
    ),
    goal(
      '  (the same for the Python peer)',
      'reference',
      peer('burst').map((r) => r.p99),
      () => null,
      'ms',
    ),
    goal(
      'max throughput, duckfeat / Python peer',
      '>= 5x',
      ratio('max', 'rps'),
      (v) => v >= 5,
      'x',
    ),
    goal(
      '  (CPU per request, Python peer / duckfeat)',
      'reference',
      peer('max').map(
        (r, i) => r.cpuMsPerRequest / (node('max')[i]?.cpuMsPerRequest ?? Number.NaN),
      ),
      () => null,
      'x',
    ),
    goal(
      '100 entities x 50 features at 100 req/s: duckfeat p99',
      '<= 10 ms',
      node('wide').map((r) => (r.rps >= 0.95 * 100 ? r.p99 : Number.POSITIVE_INFINITY)),
      (v) => v <= 10,
      'ms',
    ),
    goal(
      '  (CPU per 100 x 50 request, Python peer / duckfeat)',
      'reference',
      peer('wide').map(
        (r, i) => r.cpuMsPerRequest / (node('wide')[i]?.cpuMsPerRequest ?? Number.NaN),
      ),
      () => null,
      'x',
    ),
    goal(
      '/predict p50 minus /get-online-features p50',
      '<= 0.3 ms',
      pick('predict', 'duckfeat').map(
        (r, i) => r.p50 - (pick('features', 'duckfeat')[i]?.p50 ?? Number.NaN),
      ),
      (v) => v <= 0.3,
      'ms',
    ),
  ];
}

function printSummary(summary) {
  log('\nissue #11 goals (median over rounds; per round in brackets):');
  for (const g of summary) {
    const fmt = (v) => (Number.isFinite(v) ? v.toFixed(g.unit === 'x' ? 2 : 3) : 'not kept up');
    const verdict = g.met === null ? '' : g.met ? 'MET' : 'NOT MET';
    log(
      `${verdict.padEnd(8)} ${g.goal}: ${fmt(g.median)}${g.unit === 'x' ? 'x' : ` ${g.unit}`} [${g.perRound.map(fmt).join(', ')}] (goal ${g.target})`,
    );
  }
}
