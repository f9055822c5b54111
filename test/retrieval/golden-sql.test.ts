import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '../../src/duckdb/connection.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { createFixture, type Fixture, plain } from './fixtures.js';

// Golden SQL: each representative request's compiled SQL is kept as a readable .sql file,
// then the same SQL runs on DuckDB and its rows are checked against hand-computed values.
let fixture: Fixture;
let store: FeatureStore;

beforeAll(async () => {
  fixture = await createFixture();
  store = await FeatureStore.open({ source: fixture.source, paths: fixture.paths });
});
afterAll(async () => {
  await store?.close();
  fixture?.cleanup();
});

const ts = (day: string) => `2021-${day}T00:00:00`;

describe('golden SQL', () => {
  it('a feature service over two views: dedup ties, TTL after the join, input order kept', async () => {
    const job = await store.getHistoricalFeatures({
      entities: fixture.entityPath,
      features: 'model_features',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/service-two-views.sql');
    expect(job.parameters).toEqual({
      entity_path: fixture.entityPath,
      rfm_path: fixture.views[0]!.source.path,
      behavior_path: fixture.views[1]!.source.path,
      behavior_ttl_seconds: 2_592_000,
    });
    const base = { recency_days: null, monetary: null, return_rate: null };
    expect(plain(await job.toRows())).toEqual([
      {
        customer_id: 2,
        event_timestamp: ts('01-15'),
        label: 1,
        recency_days: 4,
        monetary: 99,
        return_rate: null,
      },
      {
        customer_id: 1,
        event_timestamp: ts('02-01'),
        label: 1,
        recency_days: 21,
        monetary: 210,
        return_rate: 0.5,
      },
      { customer_id: 1, event_timestamp: '2020-12-31T00:00:00', label: 0, ...base },
      { customer_id: null, event_timestamp: ts('03-01'), label: 0, ...base },
      {
        customer_id: 1,
        event_timestamp: '2021-01-31T23:59:59',
        label: 0,
        recency_days: 10,
        monetary: 100,
        return_rate: 0.5,
      },
      {
        customer_id: 1,
        event_timestamp: ts('02-01'),
        label: 1,
        recency_days: 21,
        monetary: 210,
        return_rate: 0.5,
      },
      { customer_id: 3, event_timestamp: ts('03-01'), label: 0, ...base },
      {
        customer_id: 1,
        event_timestamp: ts('02-09'),
        label: 1,
        recency_days: 21,
        monetary: 210,
        return_rate: 0.5,
      },
      {
        customer_id: 1,
        event_timestamp: '2021-02-09T00:00:01',
        label: 1,
        recency_days: 21,
        monetary: 210,
        return_rate: null,
      },
    ]);
    const written = readFileSync(join(fixture.paths.compiled, 'model_features.sql'), 'utf8');
    expect(written).toContain(`--   $behavior_ttl_seconds = 2592000`);
    expect(written.endsWith(job.sql)).toBe(true);
  });

  it('full names, freshness, row id, asOf and a TTL override', async () => {
    const job = await store.getHistoricalFeatures({
      entities: fixture.entityPath,
      features: ['rfm:recency_days', 'behavior:*'],
      fullFeatureNames: true,
      freshness: true,
      rowId: true,
      asOf: '2021-02-03',
      ttlOverride: { behavior: 0 },
      name: 'options',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/options.sql');
    expect(job.parameters).toMatchObject({ as_of: '2021-02-03 00:00:00' });
    expect(job.parameters).not.toHaveProperty('behavior_ttl_seconds');
    const none = {
      rfm__recency_days: null,
      rfm__event_timestamp: null,
      behavior__return_rate: null,
      behavior__n_products: null,
      behavior__event_timestamp: null,
    };
    const b1 = {
      behavior__return_rate: 0.5,
      behavior__n_products: 3,
      behavior__event_timestamp: ts('01-10'),
    };
    const rows = plain(await job.toRows()).map(
      ({ customer_id, event_timestamp, label, ...rest }) => rest,
    );
    expect(rows).toEqual([
      {
        row_id: 1,
        rfm__recency_days: 4,
        rfm__event_timestamp: ts('01-15'),
        behavior__return_rate: 0.1,
        behavior__n_products: 7,
        behavior__event_timestamp: '2020-11-01T00:00:00',
      },
      { row_id: 2, rfm__recency_days: 20, rfm__event_timestamp: ts('02-01'), ...b1 },
      { row_id: 3, ...none },
      { row_id: 4, ...none },
      { row_id: 5, rfm__recency_days: 10, rfm__event_timestamp: ts('01-01'), ...b1 },
      { row_id: 6, rfm__recency_days: 20, rfm__event_timestamp: ts('02-01'), ...b1 },
      { row_id: 7, ...none },
      { row_id: 8, rfm__recency_days: 20, rfm__event_timestamp: ts('02-01'), ...b1 },
      { row_id: 9, rfm__recency_days: 20, rfm__event_timestamp: ts('02-01'), ...b1 },
    ]);
  });

  it('composite keys, a field mapping, a SQL entity query with TIMESTAMPTZ (converted to UTC)', async () => {
    const job = await store.getHistoricalFeatures({
      entities: `SELECT * FROM (VALUES
  ('s1', 'a', TIMESTAMPTZ '2021-01-01 01:00:00+02'),
  ('s1', 'a', TIMESTAMPTZ '2021-01-01 00:00:00+00'),
  ('s1', 'b', TIMESTAMPTZ '2021-01-01 00:00:00+00'),
  ('s2', 'a', TIMESTAMPTZ '2021-01-03 00:00:00+00'),
  ('s2', 'b', TIMESTAMPTZ '2021-01-03 00:00:00+00'),
  (NULL, 'a', TIMESTAMPTZ '2021-01-03 00:00:00+00')
) AS t(store_id, product, seen_at)`,
      features: 'sales:units',
      name: 'composite',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/composite-keys.sql');
    expect(plain(await job.toRows())).toEqual([
      { store_id: 's1', product: 'a', seen_at: '2020-12-31T23:00:00', units: null },
      { store_id: 's1', product: 'a', seen_at: '2021-01-01T00:00:00', units: 1.5 },
      { store_id: 's1', product: 'b', seen_at: '2021-01-01T00:00:00', units: 2.5 },
      { store_id: 's2', product: 'a', seen_at: '2021-01-03T00:00:00', units: 3.5 },
      { store_id: 's2', product: 'b', seen_at: '2021-01-03T00:00:00', units: null },
      { store_id: null, product: 'a', seen_at: '2021-01-03T00:00:00', units: null },
    ]);
  });

  it('in-memory rows: loaded into a temporary table, read in the given order', async () => {
    const job = await store.getHistoricalFeatures({
      entities: {
        rows: [
          { customer_id: 1, event_timestamp: new Date('2021-02-01T00:00:00Z') },
          { customer_id: 2n, event_timestamp: new Date('2021-01-15T00:00:00Z') },
          { customer_id: 1, event_timestamp: new Date('2021-01-01T00:00:00Z') },
        ],
      },
      features: 'rfm:monetary',
      name: 'memory',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/memory-rows.sql');
    expect(plain(await job.toRows()).map((r) => r['monetary'])).toEqual([210, 99, 100]);
  });
});

describe('RetrievalJob outputs', () => {
  it('toColumns: numeric features and labels as Float64Array (NULL → NaN), keys as values', async () => {
    const job = await store.getHistoricalFeatures({
      entities: fixture.entityPath,
      features: 'model_features',
    });
    // The variant toColumns runs: numeric features and the label cast to DOUBLE, keys kept.
    await expect(job.sqlForColumns.sql).toMatchFileSnapshot(
      '__snapshots__/service-two-views-double.sql',
    );
    expect(job.sqlForColumns.parameters).toEqual(job.parameters);
    const result = await job.toColumns();
    expect(result.rowCount).toBe(9);
    expect(result.names).toEqual([
      'customer_id',
      'event_timestamp',
      'label',
      'recency_days',
      'monetary',
      'return_rate',
    ]);
    expect(result.columns['customer_id']).toEqual([2n, 1n, 1n, null, 1n, 1n, 3n, 1n, 1n]);
    expect(result.columns['recency_days']).toBeInstanceOf(Float64Array);
    expect([...(result.columns['recency_days'] as Float64Array)]).toEqual([
      4,
      21,
      NaN,
      NaN,
      10,
      21,
      NaN,
      21,
      21,
    ]);
    expect([...(result.columns['label'] as Float64Array)]).toEqual([1, 1, 0, 0, 0, 1, 0, 1, 1]);
    expect((result.columns['event_timestamp'] as Date[])[0]).toEqual(
      new Date('2021-01-15T00:00:00Z'),
    );
  });

  it('toParquet writes the same rows atomically; explain returns the physical plan', async () => {
    const job = await store.getHistoricalFeatures({
      entities: fixture.entityPath,
      features: 'model_features',
    });
    const out = join(fixture.root, 'out', 'training.parquet');
    expect(await job.toParquet(out)).toBe(9);
    const rows = await withConnection(async (c) =>
      (await c.runAndReadAll(`SELECT * FROM read_parquet($p)`, { p: out })).getRowObjectsJS(),
    );
    expect(plain(rows)).toEqual(plain(await job.toRows()));
    expect(await job.explain()).toMatch(/READ_PARQUET/);
  });

  it('a failing query is a RetrievalError carrying the SQL, and the output is not written', async () => {
    const job = await store.getHistoricalFeatures({
      entities:
        "SELECT 1::BIGINT AS customer_id, TIMESTAMP '2021-01-01' AS event_timestamp, error('boom') AS x",
      features: 'rfm:monetary',
    });
    const out = join(fixture.root, 'never.parquet');
    await expect(job.toParquet(out)).rejects.toMatchObject({
      name: 'RetrievalError',
      sql: job.sql,
    });
    expect(existsSync(out)).toBe(false);
  });

  it('a request name stays inside the header comment, whatever it holds', async () => {
    const request = { entities: fixture.entityPath, features: 'model_features' };
    const plainJob = await store.getHistoricalFeatures(request);
    const job = await store.getHistoricalFeatures({
      ...request,
      name: 'evil"\nSELECT 42 AS customer_id; --',
    });
    const header = job.sql.slice(0, job.sql.indexOf('\nWITH\n')).split('\n');
    for (const line of header) expect(line).toMatch(/^--/);
    expect(plain(await job.toRows())).toEqual(plain(await plainJob.toRows()));
  });
});
