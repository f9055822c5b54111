// Shared by the training benchmarks: the real training table (the seed's nine features,
// temporal split) and a synthetic 1M × 9 table, written as parquet under bench/.out/train/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

export const repo = join(fileURLToPath(new URL('.', import.meta.url)), '..');
export const out = join(repo, 'bench', '.out', 'train');
export const python = process.env.DUCKFEAT_TEST_PYTHON ?? join(repo, '.venv', 'bin', 'python');
export const FEATURES = [
  'recency_days',
  'frequency',
  'monetary',
  'tenure_days',
  'avg_order_value',
  'avg_basket_size',
  'n_unique_products',
  'return_rate',
  'avg_days_between_purchases',
];

/**
 * The real data through duckfeat's own prep (in a scratch copy of the project), joined on
 * (customer, cutoff): train = every cutoff but the last, test = the last (the seed's split).
 */
export async function realTables() {
  mkdirSync(out, { recursive: true });
  const train = join(out, 'real_train.parquet');
  const test = join(out, 'real_test.parquet');
  if (existsSync(train) && existsSync(test)) return { train, test };
  const root = mkdtempSync(join(tmpdir(), 'duckfeat-train-bench-'));
  cpSync(join(repo, 'sql'), join(root, 'sql'), { recursive: true });
  cpSync(
    join(repo, 'feature_store', 'feature_store.ts'),
    join(root, 'feature_store', 'feature_store.ts'),
  );
  // The repository loads as ESM only under a package.json with "type": "module", and imports
  // 'duckfeat' as a user's would: this checkout, linked as the package.
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(repo, join(root, 'node_modules', 'duckfeat'), 'dir');
  const raw = join(repo, '..', 'shared', 'data', 'online_retail.parquet');
  execFileSync('node', [join(repo, 'bin', 'duckfeat.js'), 'prep', '--input', raw], {
    cwd: root,
    stdio: 'inherit',
  });
  const data = join(root, 'feature_store', 'data');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const table = `SELECT ${FEATURES.map((f) => `CAST(${f} AS DOUBLE) AS ${f}`).join(', ')},
        l.purchased::INTEGER AS purchased, l.event_timestamp
      FROM read_parquet('${join(data, 'purchase_labels.parquet')}') l
      JOIN read_parquet('${join(data, 'customer_rfm_features.parquet')}') USING (customer_id, event_timestamp)
      JOIN read_parquet('${join(data, 'customer_behavior_features.parquet')}') USING (customer_id, event_timestamp)`;
    await c.run(`CREATE TABLE t AS ${table} ORDER BY event_timestamp, customer_id`);
    const cols = [...FEATURES, 'purchased'].join(', ');
    await c.run(
      `COPY (SELECT ${cols} FROM t WHERE event_timestamp < (SELECT max(event_timestamp) FROM t)) TO '${train}' (FORMAT parquet)`,
    );
    await c.run(
      `COPY (SELECT ${cols} FROM t WHERE event_timestamp = (SELECT max(event_timestamp) FROM t)) TO '${test}' (FORMAT parquet)`,
    );
  } finally {
    c.closeSync();
    db.closeSync();
  }
  return { train, test };
}

/** 1M rows × 9 features with a known signal (deterministic: DuckDB hash, no RNG state). */
export async function syntheticTable(rows = 1_000_000) {
  mkdirSync(out, { recursive: true });
  const path = join(out, `synthetic_${rows}.parquet`);
  if (existsSync(path)) return path;
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const u = (k) => `(hash(i, ${k}) % 1000000)::DOUBLE / 1000000`;
    await c.run(`COPY (
      WITH base AS (SELECT i, ${Array.from({ length: 9 }, (_, k) => `${u(k)} AS u${k}`).join(', ')}, ${u(99)} AS noise FROM range(${rows}) r(i)),
      f AS (SELECT floor(u0 * 90) AS x0, floor(-ln(1 - u1) * 5) AS x1, exp(u2 * 8) AS x2, floor(u3 * 365) AS x3,
                   u4 * 500 AS x4, CASE WHEN u5 < 0.2 THEN NULL ELSE u5 * 50 END AS x5, floor(u6 * 200) AS x6,
                   CASE WHEN u7 < 0.6 THEN 0 ELSE u7 END AS x7, u8 * 60 AS x8, noise FROM base)
      SELECT x0, x1, x2, x3, x4, x5, x6, x7, x8,
        (noise < 1 / (1 + exp(-(-0.03 * x0 + 0.4 * x1 + 0.2 * ln(x2) - 0.002 * x3 + 0.5 * x7 - 1)))) ::INTEGER AS y
      FROM f) TO '${path}' (FORMAT parquet)`);
  } finally {
    c.closeSync();
    db.closeSync();
  }
  return path;
}

/**
 * A wide table: `rows` × `features` continuous features (HIGGS-sized at 2M × 28), a signal in
 * the first ten, 10% NULLs in every fourth column (deterministic: DuckDB hash).
 */
export async function wideSyntheticTable(rows = 2_000_000, features = 28) {
  mkdirSync(out, { recursive: true });
  const path = join(out, `synthetic_${rows}x${features}.parquet`);
  if (existsSync(path)) return path;
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const u = (k) => `((hash(i, ${k + 1000}) % 1000000)::DOUBLE + 0.5) / 1000000`;
    const cols = Array.from({ length: features }, (_, k) => {
      const x =
        k % 3 === 0 ? `ln(${u(k)} / (1 - ${u(k)}))` : k % 3 === 1 ? `-ln(${u(k)})` : `${u(k)} * 10`;
      return k % 4 === 3
        ? `CASE WHEN ${u(k + 500)} < 0.1 THEN NULL ELSE ${x} END AS f${k}`
        : `${x} AS f${k}`;
    });
    const signal = Array.from(
      { length: Math.min(10, features) },
      (_, k) => `${((k % 5) - 2) * 0.3 + 0.1} * coalesce(f${k}, 0)`,
    ).join(' + ');
    await c.run(`COPY (
      WITH f AS (SELECT i, ${cols.join(', ')}, ${u(999)} AS noise FROM range(${rows}) r(i))
      SELECT ${Array.from({ length: features }, (_, k) => `f${k}`).join(', ')},
        (noise < 1 / (1 + exp(-(${signal} - 1)))) ::INTEGER AS y
      FROM f) TO '${path}' (FORMAT parquet)`);
  } finally {
    c.closeSync();
    db.closeSync();
  }
  return path;
}
