// Point-in-time retrieval: duckfeat (one compiled ASOF LEFT JOIN query) vs pandas merge_asof
// (Feast's file-store approach), same data, same contract, same run.
//   npm run build && node bench/retrieval-pit.mjs [sizes, default 1000000,10000000]
// Data: N entity rows against two feature views of N rows each (N/4 customers × 4 snapshots),
// 9 features in all; generated with DuckDB under bench/.out/retrieval/. Each side runs in its
// own process (peak RSS = that process's max RSS): read parquet, dedup per (key, ts) by
// created_timestamp, as-of join both views, TTL (90 days on one view), input order restored,
// write parquet. Also: toColumns() of 1M rows × 10 numeric columns.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const OUT = new URL('./.out/retrieval/', import.meta.url).pathname;
const sizes = (process.argv[2] ?? '1000000,10000000').split(',').map(Number);
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

const rows = [];
for (const n of sizes) {
  const dir = await generate(n);
  const duck = run(process.execPath, [
    new URL('./retrieval-pit-duckfeat.mjs', import.meta.url).pathname,
    dir,
  ]);
  const pandas = run(python, [new URL('./retrieval-pit-pandas.py', import.meta.url).pathname, dir]);
  rows.push({ n, duck, pandas });
  console.log(JSON.stringify({ n, duck, pandas }));
}
console.log(
  '\n| entity rows | duckfeat (s) | duckfeat peak RSS | pandas total (s) | pandas join only (s) | pandas peak RSS | speed-up |',
);
console.log('|---|---|---|---|---|---|---|');
for (const { n, duck, pandas } of rows) {
  console.log(
    `| ${n.toLocaleString('en-US')} | ${duck.seconds.toFixed(2)} | ${(duck.rssMB / 1024).toFixed(2)} GB | ${pandas.seconds.toFixed(2)} | ${pandas.joinSeconds.toFixed(2)} | ${(pandas.rssMB / 1024).toFixed(2)} GB | ${(pandas.seconds / duck.seconds).toFixed(1)}× |`,
  );
}
const cols = rows.find((r) => r.n === 1_000_000)?.duck;
if (cols) {
  console.log(
    `\ntoColumns() 1M rows × ${cols.columnsCount} numeric columns: query + read ${cols.toColumnsSeconds.toFixed(2)} s; reading an already computed 1M × 10 DOUBLE result ${cols.readSeconds.toFixed(3)} s`,
  );
}
