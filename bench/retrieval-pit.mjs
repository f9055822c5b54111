// Point-in-time retrieval: duckfeat (one compiled ASOF LEFT JOIN query) vs pandas merge_asof
// (Feast's file-store approach), same data, same contract, same run.
//   npm run build && node bench/retrieval-pit.mjs [sizes, default 1000000,10000000] [--runs 3]
// Data: N entity rows against two feature views of N rows each (N/4 customers × 4 snapshots),
// 9 features in all; generated with DuckDB under bench/.out/retrieval/. Each side runs in its
// own process (peak RSS = that process's max RSS): read parquet, dedup per (key, ts) by
// created_timestamp, as-of join both views, TTL (90 days on one view), input order restored,
// write parquet. Beside them, DuckDB's bare ASOF SQL (bench/retrieval-pit-bare.mjs: the two
// joins and the TTL, no dedup, no order). Also: toColumns() of 1M rows × 10 numeric columns.
// With --runs N, each size runs N rounds of every side, interleaved so that a slow spell of the
// machine hits all of them; the table gives medians and the range of the per-round ratios.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeStampedOutput } from '../dist/engine/stamped-output.js';

const OUT = new URL('./.out/retrieval/', import.meta.url).pathname;
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 1;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number ≥ 1');
const sizes = (args[0] ?? '1000000,10000000').split(',').map(Number);
const python =
  process.env.DUCKFEAT_BENCH_PYTHON ?? new URL('../.venv/bin/python', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

/** The feature views as `prep` writes its outputs: sorted, with the uniqueness stamp. */
async function writePrepCopies(connection, dir) {
  for (const view of ['rfm', 'behavior']) {
    await writeStampedOutput(connection, [`${dir}${view}.parquet`], `${dir}${view}-prep.parquet`, {
      keys: ['customer_id'],
      timestamp: 'event_timestamp',
    });
  }
}

async function generate(n) {
  const dir = `${OUT}${n}/`;
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  if (existsSync(`${dir}entities.parquet`)) {
    if (!existsSync(`${dir}behavior-prep.parquet`)) await writePrepCopies(c, dir);
    c.closeSync();
    instance.closeSync();
    return dir;
  }
  const k = n / 4;
  const base = "TIMESTAMP '2021-01-01 08:00:00'";
  const snapshots = `SELECT c AS customer_id, ${base} + INTERVAL (s * 30) DAY + INTERVAL (c % 997) MINUTE AS event_timestamp
      FROM range(${k}) t(c), range(4) u(s)`;
  await c.run(`COPY (SELECT customer_id, event_timestamp, event_timestamp + INTERVAL 1 HOUR AS created_timestamp,
      (hash(customer_id, event_timestamp, 1) % 90)::BIGINT AS recency_days,
      (hash(customer_id, event_timestamp, 2) % 20)::BIGINT AS frequency,
      (hash(customer_id, event_timestamp, 3) % 100000) / 100.0 AS monetary,
      (hash(customer_id, event_timestamp, 4) % 400)::BIGINT AS tenure_days
    FROM (${snapshots}) ORDER BY event_timestamp, customer_id) TO '${dir}rfm.parquet' (FORMAT parquet)`);
  await c.run(`COPY (SELECT customer_id, event_timestamp, event_timestamp + INTERVAL 1 HOUR AS created_timestamp,
      (hash(customer_id, event_timestamp, 5) % 50000) / 100.0 AS avg_order_value,
      (hash(customer_id, event_timestamp, 6) % 3000) / 10.0 AS avg_basket_size,
      (hash(customer_id, event_timestamp, 7) % 200)::BIGINT AS n_unique_products,
      (hash(customer_id, event_timestamp, 8) % 100) / 100.0 AS return_rate,
      (hash(customer_id, event_timestamp, 9) % 6000) / 100.0 AS avg_days_between_purchases
    FROM (${snapshots}) ORDER BY event_timestamp, customer_id) TO '${dir}behavior.parquet' (FORMAT parquet)`);
  await c.run(`COPY (SELECT (hash(i, 10) % ${k})::BIGINT AS customer_id,
      ${base} + INTERVAL ((hash(i, 11) % (150 * 86400))) SECOND AS event_timestamp,
      (hash(i, 12) % 2)::BIGINT AS label
    FROM range(${n}) t(i)) TO '${dir}entities.parquet' (FORMAT parquet)`);
  await writePrepCopies(c, dir);
  c.closeSync();
  instance.closeSync();
  return dir;
}

function run(cmd, args) {
  const out = execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const duckfeat = (dir, ...args) =>
  run(process.execPath, [
    new URL('./retrieval-pit-duckfeat.mjs', import.meta.url).pathname,
    dir,
    ...args,
  ]);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = [];
let columns;
for (const n of sizes) {
  const dir = await generate(n);
  const rounds = [];
  for (let r = 0; r < runs; r++) {
    const loadBefore = load();
    // prep: the first retrieval of files `prep` wrote (stamped: no check); cold: the first
    // retrieval of files without the stamp (checked: a pass over each); warm: the verdicts
    // reused; bare: DuckDB's minimal ASOF SQL on the same files. Every other round runs in
    // reverse order, so that no side always runs first.
    const sides = {
      prep: () => duckfeat(dir, 'parquet', 'cold', 'prep'),
      cold: () => duckfeat(dir, 'parquet', 'cold', 'plain'),
      warm: () => duckfeat(dir, 'parquet', 'warm', 'plain'),
      bare: () =>
        run(process.execPath, [new URL('./retrieval-pit-bare.mjs', import.meta.url).pathname, dir]),
      pandas: () =>
        run(python, [new URL('./retrieval-pit-pandas.py', import.meta.url).pathname, dir]),
    };
    const names = Object.keys(sides);
    const order = r % 2 === 0 ? names : [...names].reverse();
    const results = {};
    for (const side of order) results[side] = sides[side]();
    const round = { n, round: r + 1, ...results, load: [loadBefore, load()] };
    rounds.push(round);
    console.log(JSON.stringify(round));
  }
  if (n === 1_000_000) columns = duckfeat(dir, 'columns');
  const med = (side, field) => median(rounds.map((x) => x[side][field]));
  const summary = (side) => ({
    seconds: med(side, 'seconds'),
    cpu: med(side, 'cpuSeconds'),
    rss: med(side, 'rssMB'),
  });
  const ratios = (over, side) => rounds.map((x) => x[over].seconds / x[side].seconds);
  rows.push({
    n,
    rounds: rounds.length,
    sides: Object.fromEntries(
      ['prep', 'cold', 'warm', 'bare', 'pandas'].map((s) => [s, summary(s)]),
    ),
    pandasJoin: med('pandas', 'joinSeconds'),
    speedUp: Object.fromEntries(
      ['prep', 'cold', 'warm', 'bare'].map((s) => [s, ratios('pandas', s)]),
    ),
    overBare: Object.fromEntries(['prep', 'cold', 'warm'].map((s) => [s, ratios(s, 'bare')])),
    load: [Math.min(...rounds.map((x) => x.load[0])), Math.max(...rounds.map((x) => x.load[1]))],
  });
}
const gb = (mb) => `${(mb / 1024).toFixed(2)} GB`;
const range = (xs) =>
  xs.length === 1
    ? `${xs[0].toFixed(1)}×`
    : `${median(xs).toFixed(1)}× (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
const labels = {
  prep: 'duckfeat, first retrieval of prep outputs (stamped)',
  cold: 'duckfeat, first retrieval of unstamped files (checked)',
  warm: 'duckfeat, verdicts cached',
  bare: "DuckDB's bare ASOF SQL",
  pandas: 'pandas merge_asof',
};
for (const { n, rounds, sides, pandasJoin, speedUp, overBare, load: l } of rows) {
  console.log(
    `\n${n.toLocaleString('en-US')} entity rows, ${rounds} round(s), load ${l[0].toFixed(1)} → ${l[1].toFixed(1)}`,
  );
  console.log('| side | s (CPU s) | peak RSS | pandas ÷ side | side ÷ bare |');
  console.log('|---|---|---|---|---|');
  for (const [side, m] of Object.entries(sides)) {
    const extra = side === 'pandas' ? ` (join only ${pandasJoin.toFixed(2)} s)` : '';
    console.log(
      `| ${labels[side]} | ${m.seconds.toFixed(2)} (${m.cpu.toFixed(1)})${extra} | ${gb(m.rss)} | ${speedUp[side] ? range(speedUp[side]) : '—'} | ${overBare[side] ? range(overBare[side]) : '—'} |`,
    );
  }
}
console.log(
  '(times and RSS: medians over the rounds; ratios: median of the per-round ratios, with their range)',
);
if (columns) {
  console.log(
    `\ntoColumns() 1M rows × ${columns.columnsCount} numeric columns: query + read ${columns.toColumnsSeconds.toFixed(2)} s; reading an already computed 1M × 10 DOUBLE result ${columns.readSeconds.toFixed(3)} s (CPU ${columns.readCpuSeconds.toFixed(3)} s, best of 5)`,
  );
}
