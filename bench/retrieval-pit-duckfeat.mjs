// One duckfeat side of bench/retrieval-pit.mjs: prints one JSON line.
import { DuckDBInstance } from '@duckdb/node-api';
import { readColumns } from '../dist/retrieval/columns.js';
import { FeatureStore } from '../dist/retrieval/feature-store.js';

const dir = process.argv[2];
const view = (name, features, ttlSeconds) => ({
  name,
  joinKeys: ['customer_id'],
  features: features.map(([n, type]) => ({ name: n, type })),
  source: {
    path: `${dir}${name}.parquet`,
    format: 'parquet',
    timestampField: 'event_timestamp',
    createdTimestampColumn: 'created_timestamp',
  },
  ttlSeconds,
});
const views = [
  view(
    'rfm',
    [
      ['recency_days', 'int64'],
      ['frequency', 'int64'],
      ['monetary', 'float64'],
      ['tenure_days', 'int64'],
    ],
    0,
  ),
  view(
    'behavior',
    [
      ['avg_order_value', 'float64'],
      ['avg_basket_size', 'float64'],
      ['n_unique_products', 'int64'],
      ['return_rate', 'float64'],
      ['avg_days_between_purchases', 'float64'],
    ],
    90 * 86400,
  ),
];
const instance = await DuckDBInstance.create(
  ':memory:',
  process.env.DUCKFEAT_BENCH_MEMORY ? { memory_limit: process.env.DUCKFEAT_BENCH_MEMORY } : {},
);
const store = await FeatureStore.open({
  source: { resolveFeatureViews: async () => views, listFeatureServices: async () => [] },
  root: `${dir}`,
  instance,
  writeCompiled: false,
});
const request = { entities: `${dir}entities.parquet`, features: ['rfm:*', 'behavior:*'] };
let t = performance.now();
const job = await store.getHistoricalFeatures(request);
const written = await job.toParquet(`${dir}duckfeat-out.parquet`);
const seconds = (performance.now() - t) / 1000;

const result = { seconds, rows: written };
if (written <= 1_000_000) {
  t = performance.now();
  const columns = await job.toColumns();
  result.toColumnsSeconds = (performance.now() - t) / 1000;
  result.columnsCount = columns.names.filter(
    (n) => columns.columns[n] instanceof Float64Array,
  ).length;
  const c = await instance.connect();
  await c.run(
    `CREATE TABLE m AS SELECT ${Array.from({ length: 10 }, (_, i) => `random() AS c${i}`).join(', ')} FROM range(1000000)`,
  );
  t = performance.now();
  await readColumns(c, 'SELECT * FROM m', {});
  result.readSeconds = (performance.now() - t) / 1000;
  c.closeSync();
}
await store.close();
instance.closeSync();
result.rssMB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(result));
