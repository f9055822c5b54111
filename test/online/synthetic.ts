import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withConnection } from '../../src/duckdb/connection.js';

/**
 * Synthetic feature rows for the online tests, made from a seed, and a reference computed
 * here in plain JS (not by duckfeat's SQL): per key, the newest row at or before a time;
 * ties on the timestamp go to the greatest created timestamp (NULL last), then the smallest
 * feature values in declaration order (NULL last).
 */

export interface StatsRow {
  customer_id: number;
  event_timestamp: string;
  created_timestamp: string | null;
  n_orders: number | null;
  spend: number | null;
  label: string | null;
  active: boolean | null;
}

export interface StoreRow {
  region: string;
  store_code: string;
  event_timestamp: string;
  created_timestamp: string | null;
  revenue: number | null;
}

export const STATS_FEATURES = ['n_orders', 'spend', 'label', 'active'] as const;

/** mulberry32: a small seeded generator, so every run makes the same rows. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const ORIGIN = Date.parse('2024-01-01T00:00:00Z');

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '');
}

const LABELS = ['', 'a', 'b', '=x', 'é', 'line\nbreak', 'x\u001fy'];

export function makeStats(rng: () => number, customers: number, rows: number): StatsRow[] {
  const out: StatsRow[] = [];
  const pick = <T>(values: readonly T[]) => values[Math.floor(rng() * values.length)]!;
  for (let i = 0; i < rows; i++) {
    const customer = Math.floor(rng() * customers);
    // Few distinct times per customer, so ties on the feature timestamp are common.
    const day = Math.floor(rng() * 20);
    const ts = ORIGIN + day * DAY_MS + Math.floor(rng() * 2) * 3_600_000;
    const created = rng() < 0.1 ? null : ts + Math.floor(rng() * 3) * 60_000;
    out.push({
      customer_id: customer,
      event_timestamp: stamp(ts),
      created_timestamp: created === null ? null : stamp(created),
      n_orders: rng() < 0.1 ? null : Math.floor(rng() * 5) - 1,
      spend: rng() < 0.1 ? null : Math.round(rng() * 1e6) / 97,
      label: rng() < 0.1 ? null : pick(LABELS),
      active: rng() < 0.1 ? null : rng() < 0.5,
    });
  }
  return out;
}

export function makeStores(rng: () => number, rows: number): StoreRow[] {
  const regions = ['north', 'south', 'a\u001fb', 'back\\slash', 'ünï'];
  const codes = ['1', '01', 'x', '', 'b\u001f'];
  const out: StoreRow[] = [];
  for (let i = 0; i < rows; i++) {
    const ts = ORIGIN + Math.floor(rng() * 20) * DAY_MS;
    out.push({
      region: regions[Math.floor(rng() * regions.length)]!,
      store_code: codes[Math.floor(rng() * codes.length)]!,
      event_timestamp: stamp(ts),
      created_timestamp: stamp(ts + Math.floor(rng() * 1000) * 1000),
      revenue: rng() < 0.1 ? null : Math.round(rng() * 1e5) / 7,
    });
  }
  return out;
}

type Comparable = number | string | boolean | null;

function compareValues(a: Comparable, b: Comparable): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'string' && typeof b === 'string') {
    // DuckDB orders VARCHAR by UTF-8 bytes.
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
  }
  return Number(a) < Number(b) ? -1 : 1;
}

/**
 * Per key (from `keyOf`), the row DuckDB's dedup rule picks among rows with event time in
 * `(start, end]`, or undefined.
 */
export function newestRows<R extends { event_timestamp: string; created_timestamp: string | null }>(
  rows: readonly R[],
  keyOf: (row: R) => string,
  features: readonly (keyof R)[],
  end: string,
  start?: string,
): Map<string, R> {
  const best = new Map<string, R>();
  for (const row of rows) {
    if (row.event_timestamp > end || (start !== undefined && row.event_timestamp <= start))
      continue;
    const key = keyOf(row);
    const current = best.get(key);
    if (!current || better(row, current, features)) best.set(key, row);
  }
  return best;
}

function better<R extends { event_timestamp: string; created_timestamp: string | null }>(
  row: R,
  than: R,
  features: readonly (keyof R)[],
): boolean {
  if (row.event_timestamp !== than.event_timestamp)
    return row.event_timestamp > than.event_timestamp;
  if (row.created_timestamp !== than.created_timestamp) {
    if (row.created_timestamp === null) return false;
    if (than.created_timestamp === null) return true;
    return row.created_timestamp > than.created_timestamp;
  }
  for (const f of features) {
    const c = compareValues(row[f] as Comparable, than[f] as Comparable);
    if (c !== 0) return c < 0;
  }
  return false;
}

/** Write rows as a parquet file with the given DuckDB column types. */
export async function writeParquet(
  path: string,
  rows: readonly object[],
  columns: Record<string, string>,
): Promise<void> {
  const json = `${path}.ndjson`;
  writeFileSync(json, rows.map((r) => JSON.stringify(r)).join('\n'));
  const spec = Object.entries(columns)
    .map(([name, type]) => `'${name}': '${type}'`)
    .join(', ');
  await withConnection(async (connection) => {
    await connection.run(
      `COPY (SELECT * FROM read_json($json, format = 'newline_delimited', columns = {${spec}})) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`,
      { json },
    );
  });
}

/** The example repository of these tests (`import 'duckfeat'` resolves to this checkout). */
export function repositorySource(extraConfig = ''): string {
  return `import { defineConfig, entity, featureService, featureView, fileSource } from 'duckfeat';
export const config = defineConfig({ project: 'onlinetest'${extraConfig} });
export const customer = entity({ name: 'customer', joinKeys: ['customer_id'], valueType: 'int64' });
export const store = entity({ name: 'store', joinKeys: ['region', 'store_code'], valueType: 'string' });
export const stats = featureView({
  name: 'stats', entities: [customer], ttl: '2d',
  source: fileSource({ path: 'data/stats.parquet', timestampField: 'event_timestamp', createdTimestampColumn: 'created_timestamp' }),
  schema: { n_orders: 'int64', spend: 'float64', label: 'string', active: 'bool' },
});
export const storeSales = featureView({
  name: 'store_sales', entities: [store], ttl: 0,
  source: fileSource({ path: 'data/store_sales.parquet', timestampField: 'event_timestamp', createdTimestampColumn: 'created_timestamp' }),
  schema: { revenue: 'float64' },
});
export const both = featureService({ name: 'both', features: [stats, storeSales] });
`;
}

export const STATS_COLUMNS = {
  customer_id: 'BIGINT',
  event_timestamp: 'TIMESTAMP',
  created_timestamp: 'TIMESTAMP',
  n_orders: 'BIGINT',
  spend: 'DOUBLE',
  label: 'VARCHAR',
  active: 'BOOLEAN',
};

export const STORE_COLUMNS = {
  region: 'VARCHAR',
  store_code: 'VARCHAR',
  event_timestamp: 'TIMESTAMP',
  created_timestamp: 'TIMESTAMP',
  revenue: 'DOUBLE',
};

export function dataPath(root: string, file: string): string {
  return join(root, 'feature_store', 'data', file);
}
