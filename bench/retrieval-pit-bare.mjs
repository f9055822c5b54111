// The bare DuckDB side of bench/retrieval-pit.mjs: the minimal SQL a DuckDB user would write
// for the same retrieval — two ASOF LEFT JOINs and the TTL, the result written to parquet with
// the same write options as duckfeat — and nothing else: no deduplication, no NULL guard, no
// input order. Prints one JSON line (wall and CPU seconds of the query, peak RSS).
//   node bench/retrieval-pit-bare.mjs DIR
import { DuckDBInstance } from '@duckdb/node-api';
import { PARQUET_FORMAT } from '../dist/duckdb/parquet.js';

const dir = process.argv[2];
const rfm = ['recency_days', 'frequency', 'monetary', 'tenure_days'];
const behavior = [
  'avg_order_value',
  'avg_basket_size',
  'n_unique_products',
  'return_rate',
  'avg_days_between_purchases',
];
const ttl = `b.event_timestamp >= e.event_timestamp - INTERVAL 90 DAY`;
const sql = `SELECT e.*, ${rfm.map((f) => `r.${f}`).join(', ')},
    ${behavior.map((f) => `CASE WHEN ${ttl} THEN b.${f} END AS ${f}`).join(', ')}
  FROM read_parquet('${dir}entities.parquet') AS e
  ASOF LEFT JOIN read_parquet('${dir}rfm.parquet') AS r
    ON e.customer_id = r.customer_id AND e.event_timestamp >= r.event_timestamp
  ASOF LEFT JOIN read_parquet('${dir}behavior.parquet') AS b
    ON e.customer_id = b.customer_id AND e.event_timestamp >= b.event_timestamp`;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const t = performance.now();
const c0 = cpu();
const result = await connection.run(
  `COPY (${sql}) TO '${dir}bare-out.parquet' (${PARQUET_FORMAT})`,
);
const out = {
  rows: Number(result.rowsChanged),
  seconds: (performance.now() - t) / 1000,
  cpuSeconds: cpu() - c0,
};
connection.closeSync();
instance.closeSync();
out.rssMB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(out));
