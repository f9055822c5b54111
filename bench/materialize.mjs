// `duckfeat materialize` as a user runs it (the CLI, one process per run), into both online
// stores, on (a) the real UCI data through the example repository's views and (b) a
// synthetic view of `--rows` rows over `--keys` entity keys (default 10M × 1M). Each run's
// whole-process wall time and peak RSS come from /usr/bin/time -v; the materialize time
// (registry and store opened, every view queried and written) from `--json`'s totalMs.
// Goals (#11): the real data in < 1 s; 10M rows / 1M keys in <= 30 s with peak RSS <= 1 GB.
//
//   npm run build && flock /tmp/duckfeat-bench.lock node bench/materialize.mjs \
//     [--rows 10000000] [--keys 1000000] [--stores embedded,redis] [--only real|synthetic] [--json]
//
// Redis: DUCKFEAT_TEST_REDIS_URL (default redis://127.0.0.1:6379), a random key prefix that
// is removed afterwards. Registry: DUCKFEAT_REGISTRY_URL when set, else the embedded one.
// The real project and the synthetic parquet are cached under bench/.out/materialize/.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(repo, 'bench', '.out', 'materialize');
const cli = join(repo, 'bin', 'duckfeat.js');
const REAL = join(repo, '..', 'shared', 'data', 'online_retail.parquet');
const REAL_END = '2011-10-27 08:26:00';
const SYNTH_END = '2030-01-01 00:00:00';
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const rows = Number(option('rows', '10000000'));
const keys = Number(option('keys', '1000000'));
const stores = option('stores', 'embedded,redis').split(',');
const only = option('only', 'real,synthetic').split(',');
const json = args.includes('--json');
const redisUrl = process.env.DUCKFEAT_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const log = (line) => console.error(line);

/** A project folder whose `import 'duckfeat'` resolves to this checkout. */
function project(name, files) {
  const root = join(out, name);
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  if (!existsSync(join(root, 'node_modules', 'duckfeat'))) {
    symlinkSync(repo, join(root, 'node_modules', 'duckfeat'), 'dir');
  }
  writeFileSync(join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** `duckfeat <args>` in `root` under /usr/bin/time -v: wall s, peak RSS MB, stdout. */
function duckfeat(root, cliArgs, env = {}) {
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, cli, ...cliArgs], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  if (result.status !== 0) {
    throw new Error(`duckfeat ${cliArgs.join(' ')} failed (${result.status}):\n${result.stderr}`);
  }
  const wall = /Elapsed \(wall clock\) time \([^)]*\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
    result.stderr,
  );
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const rssMb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)[1]) / 1024;
  return { seconds, rssMb, stdout: result.stdout };
}

/** Entity hashes under a Redis key prefix (counted, then removed). */
async function redisKeys(prefix, remove) {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  let count = 0;
  try {
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
      cursor = next;
      count += found.length;
      if (remove && found.length > 0) await redis.unlink(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return count;
}

function sqliteRows(root, table) {
  const db = new Database(join(root, 'feature_store', 'online', 'online.sqlite'), {
    readonly: true,
  });
  try {
    return db.prepare(`SELECT count(*) AS n FROM "fv_${table}"`).get().n;
  } finally {
    db.close();
  }
}

/** Materialize `root`'s views into each store; checks the stored entity count. */
async function materializeInto(root, end, expected) {
  const results = {};
  for (const store of stores) {
    const prefix = `duckfeat-bench-${randomBytes(6).toString('hex')}`;
    const env =
      store === 'redis'
        ? { DUCKFEAT_ONLINE_URL: `${redisUrl}/?prefix=${prefix}` }
        : { DUCKFEAT_ONLINE_URL: 'embedded' };
    if (store === 'embedded')
      rmSync(join(root, 'feature_store', 'online'), { recursive: true, force: true });
    const loadBefore = load();
    let run;
    let stored;
    try {
      run = duckfeat(root, ['materialize', '--end', end, '--json'], env);
      stored =
        store === 'redis'
          ? await redisKeys(prefix, false)
          : Math.max(...Object.keys(expected).map((view) => sqliteRows(root, view)));
    } finally {
      if (store === 'redis') await redisKeys(prefix, true);
    }
    const result = JSON.parse(run.stdout);
    const views = Object.fromEntries(
      result.views.map((v) => [v.view, { rows: v.rows, ms: Math.round(v.durationMs) }]),
    );
    for (const [view, n] of Object.entries(expected)) {
      if (views[view]?.rows !== n) {
        throw new Error(`${store}: ${view} wrote ${views[view]?.rows} rows, expected ${n}`);
      }
    }
    const entities = Math.max(...Object.values(expected));
    if (stored !== entities) {
      throw new Error(`${store}: ${stored} entities stored, expected ${entities}`);
    }
    results[store] = {
      materializeMs: Math.round(result.totalMs),
      views,
      processSeconds: run.seconds,
      peakRssMb: Math.round(run.rssMb),
      load: `${loadBefore} → ${load()}`,
    };
    log(
      `  ${store.padEnd(8)} materialize ${(result.totalMs / 1000).toFixed(2)} s (${Object.entries(
        views,
      )
        .map(([v, r]) => `${v} ${r.rows.toLocaleString('en-US')} rows ${r.ms} ms`)
        .join(
          ', ',
        )}) | process ${run.seconds.toFixed(2)} s, peak RSS ${Math.round(run.rssMb)} MB | load ${load()}`,
    );
  }
  return results;
}

async function real() {
  if (!existsSync(REAL)) throw new Error(`missing ${REAL}`);
  const root = project('real', {
    'feature_store/feature_store.ts': readFileSync(
      join(repo, 'feature_store', 'feature_store.ts'),
      'utf8',
    ),
  });
  cpSync(join(repo, 'sql'), join(root, 'sql'), { recursive: true });
  log(`real data: ingest + prep + apply in ${root} (cached after the first run)`);
  duckfeat(root, ['prep', '--input', REAL]);
  duckfeat(root, ['apply']);
  const expected = await distinctKeys(
    join(root, 'feature_store', 'data'),
    ['customer_rfm_features', 'customer_behavior_features'],
    'customer_id',
    REAL_END,
  );
  log(`real data: materialize --end '${REAL_END}'`);
  return { end: REAL_END, expected, stores: await materializeInto(root, REAL_END, expected) };
}

/** Per view, the entity keys with a row at or before `end`: the rows materialize must write. */
async function distinctKeys(folder, views, key, end) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const counts = {};
    for (const view of views) {
      const reader = await connection.runAndReadAll(
        `SELECT count(DISTINCT "${key}")::INTEGER FROM read_parquet('${join(folder, `${view}.parquet`)}') WHERE event_timestamp <= TIMESTAMP '${end}'`,
      );
      counts[view] = reader.getRows()[0][0];
    }
    return counts;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const SYNTH_REPOSITORY = `import { defineConfig, entity, featureView, fileSource } from 'duckfeat';
export const config = defineConfig({ project: 'bench' });
export const item = entity({ name: 'item', joinKeys: ['item_id'], valueType: 'int64' });
export const big = featureView({
  name: 'big', entities: [item], ttl: 0,
  source: fileSource({ path: 'data/big.parquet', timestampField: 'event_timestamp', createdTimestampColumn: 'created_timestamp' }),
  schema: { n1: 'int64', n2: 'int64', n3: 'int64', n4: 'int64', x1: 'float64', x2: 'float64', x3: 'float64', x4: 'float64', x5: 'float64' },
});
`;

async function synthetic() {
  const root = project(`synthetic-${rows}-${keys}`, {
    'feature_store/feature_store.ts': SYNTH_REPOSITORY,
  });
  const parquet = join(root, 'feature_store', 'data', 'big.parquet');
  if (!existsSync(parquet)) {
    log(
      `synthetic: writing ${rows.toLocaleString('en-US')} rows over ${keys.toLocaleString('en-US')} keys`,
    );
    mkdirSync(dirname(parquet), { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // Rows in a random order (not grouped by key); per key rows a day apart, and every
    // feature a function of (row, feature), a tenth of them NULL.
    const feature = (i, type) =>
      `CASE WHEN hash(i, ${i}) % 10 = 0 THEN NULL ELSE ${
        type === 'int64' ? `(hash(i, ${i}) % 1000)::BIGINT` : `(hash(i, ${i}) % 1000000) / 97.0`
      } END`;
    await connection.run(
      `COPY (SELECT i % ${keys} AS item_id,
          TIMESTAMP '2024-01-01' + to_days((i // ${keys})::INTEGER) + to_seconds((hash(i) % 3600)::BIGINT) AS event_timestamp,
          TIMESTAMP '2024-06-01' + to_seconds((hash(i, 99) % 3600)::BIGINT) AS created_timestamp,
          ${[1, 2, 3, 4].map((n) => `${feature(n, 'int64')} AS n${n}`).join(', ')},
          ${[1, 2, 3, 4, 5].map((n) => `${feature(n + 4, 'float64')} AS x${n}`).join(', ')}
        FROM range(${rows}) t(i) ORDER BY hash(i, 7)) TO '${parquet}.tmp' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    copyFileSync(`${parquet}.tmp`, parquet);
    rmSync(`${parquet}.tmp`);
  }
  duckfeat(root, ['apply']);
  log(
    `synthetic: materialize ${rows.toLocaleString('en-US')} rows, ${keys.toLocaleString('en-US')} keys`,
  );
  return {
    rows,
    keys,
    stores: await materializeInto(root, SYNTH_END, { big: Math.min(rows, keys) }),
  };
}

mkdirSync(out, { recursive: true });
const report = {
  machine: `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`,
  date: new Date().toISOString(),
  registry: process.env.DUCKFEAT_REGISTRY_URL ? 'DUCKFEAT_REGISTRY_URL' : 'embedded',
  loadBefore: load(),
};
log(`${report.machine}; registry ${report.registry}; load ${report.loadBefore}`);
if (only.includes('real')) report.real = await real();
if (only.includes('synthetic')) report.synthetic = await synthetic();
report.loadAfter = load();

const summary = [];
for (const store of stores) {
  const r = report.real?.stores[store];
  if (r) {
    summary.push(
      `real data, ${store}: materialize ${(r.materializeMs / 1000).toFixed(2)} s (goal < 1 s: ${r.materializeMs < 1000 ? 'met' : 'NOT met'}); whole process ${r.processSeconds.toFixed(2)} s`,
    );
  }
  const s = report.synthetic?.stores[store];
  if (s) {
    const met = s.processSeconds <= 30 && s.peakRssMb <= 1024;
    summary.push(
      `${(rows / 1e6).toFixed(rows < 1e6 ? 2 : 0)}M rows / ${(keys / 1e6).toFixed(keys < 1e6 ? 2 : 0)}M keys, ${store}: whole process ${s.processSeconds.toFixed(1)} s (materialize ${(s.materializeMs / 1000).toFixed(1)} s), peak RSS ${s.peakRssMb} MB (goal <= 30 s, <= 1 GB: ${met ? 'met' : 'NOT met'})`,
    );
  }
}
if (json) console.log(JSON.stringify(report, null, 2));
else
  console.log(`\n${summary.join('\n')}\nload average ${report.loadBefore} → ${report.loadAfter}`);
