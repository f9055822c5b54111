// Point-in-time retrieval: duckfeat (one compiled ASOF LEFT JOIN query) vs pandas merge_asof
// (Feast's file-store approach), same data, same contract, same run.
//   npm run build && node bench/retrieval-pit.mjs [sizes, default 1000000,10000000] [--runs 3]
// Data: N entity rows against two feature views of N rows each (N/4 customers × 4 snapshots),
// 9 features in all; generated with DuckDB under bench/.out/retrieval/. Each side runs in its
// own process (peak RSS = that process's max RSS): read parquet, dedup per (key, ts) by
// created_timestamp, as-of join both views, TTL (90 days on one view), input order restored,
// write parquet. Also: toColumns() of 1M rows × 10 numeric columns. With --runs N, each size runs
// N rounds of (cold, warm, pandas), interleaved so that a slow spell of the machine hits both
// sides; the table gives medians and the range of the per-round speed-ups.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const OUT = new URL('./.out/retrieval/', import.meta.url).pathname;
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 1;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number ≥ 1');
const sizes = (args[0] ?? '1000000,10000000').split(',').map(Number);
const python =
  process.env.DUCKFEAT_BENCH_PYTHON ?? new URL('../.venv/bin/python', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

async function generate(n) {
  const dir = `${OUT}${n}/`;
  if (existsSync(`${dir}entities.parquet`)) return dir;
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
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
    // cold: the uniqueness verdicts are computed (a pass over each source); warm: reused.
    // Every other round runs in reverse order, so that neither side always runs first.
    const sides = {
      cold: () => duckfeat(dir, 'parquet', 'cold'),
      warm: () => duckfeat(dir, 'parquet'),
      pandas: () =>
        run(python, [new URL('./retrieval-pit-pandas.py', import.meta.url).pathname, dir]),
    };
    const order = r % 2 === 0 ? ['cold', 'warm', 'pandas'] : ['pandas', 'warm', 'cold'];
    const results = {};
    for (const side of order) results[side] = sides[side]();
    const { cold, warm, pandas } = results;
    const round = { n, round: r + 1, cold, warm, pandas, load: [loadBefore, load()] };
    rounds.push(round);
    console.log(JSON.stringify(round));
  }
  if (n === 1_000_000) columns = duckfeat(dir, 'columns');
  const med = (side, field) => median(rounds.map((x) => x[side][field]));
  const ratios = (side) => rounds.map((x) => x.pandas.seconds / x[side].seconds);
  rows.push({
    n,
    rounds: rounds.length,
    cold: {
      seconds: med('cold', 'seconds'),
      cpu: med('cold', 'cpuSeconds'),
      rss: med('cold', 'rssMB'),
    },
    warm: {
      seconds: med('warm', 'seconds'),
      cpu: med('warm', 'cpuSeconds'),
      rss: med('warm', 'rssMB'),
    },
    pandas: {
      seconds: med('pandas', 'seconds'),
      cpu: med('pandas', 'cpuSeconds'),
      join: med('pandas', 'joinSeconds'),
      rss: med('pandas', 'rssMB'),
    },
    coldRatios: ratios('cold'),
    warmRatios: ratios('warm'),
    load: [Math.min(...rounds.map((x) => x.load[0])), Math.max(...rounds.map((x) => x.load[1]))],
  });
}
const gb = (mb) => `${(mb / 1024).toFixed(2)} GB`;
const range = (xs) =>
  xs.length === 1
    ? `${xs[0].toFixed(1)}×`
    : `${median(xs).toFixed(1)}× (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
console.log(
  '\n| entity rows | rounds | duckfeat cold: s (CPU s) | duckfeat warm: s (CPU s) | duckfeat peak RSS cold / warm | pandas: s (CPU s) | pandas join only (s) | pandas peak RSS | speed-up cold | speed-up warm | load min / max |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const { n, rounds, cold, warm, pandas, coldRatios, warmRatios, load: l } of rows) {
  console.log(
    `| ${n.toLocaleString('en-US')} | ${rounds} | ${cold.seconds.toFixed(2)} (${cold.cpu.toFixed(1)}) | ${warm.seconds.toFixed(2)} (${warm.cpu.toFixed(1)}) | ${gb(cold.rss)} / ${gb(warm.rss)} | ${pandas.seconds.toFixed(2)} (${pandas.cpu.toFixed(1)}) | ${pandas.join.toFixed(2)} | ${gb(pandas.rss)} | ${range(coldRatios)} | ${range(warmRatios)} | ${l[0].toFixed(1)} / ${l[1].toFixed(1)} |`,
  );
}
console.log(
  '(times and RSS: medians over the rounds; speed-up: median of the per-round ratios, with their range)',
);
if (columns) {
  console.log(
    `\ntoColumns() 1M rows × ${columns.columnsCount} numeric columns: query + read ${columns.toColumnsSeconds.toFixed(2)} s; reading an already computed 1M × 10 DOUBLE result ${columns.readSeconds.toFixed(3)} s (CPU ${columns.readCpuSeconds.toFixed(3)} s, best of 5)`,
  );
}
