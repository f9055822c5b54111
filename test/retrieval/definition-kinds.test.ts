import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstance } from '../../src/duckdb/connection.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { evaluateOnDemand } from '../../src/retrieval/on-demand.js';
import { createFixture, type Fixture, plain } from './fixtures.js';

// Golden SQL for each kind of definition and request beyond the plain join, then the rows
// of that SQL against values worked out by hand from the fixture (see fixtures.ts).
let fixture: Fixture;
let store: FeatureStore;
let instance: Awaited<ReturnType<typeof createInstance>>;
beforeAll(async () => {
  instance = await createInstance();
  fixture = await createFixture();
  store = await FeatureStore.open({ source: fixture.source, paths: fixture.paths });
});
afterAll(async () => {
  instance?.closeSync();
  await store?.close();
  fixture?.cleanup();
});

const spine = `SELECT * FROM (VALUES
  (1::BIGINT, TIMESTAMP '2021-02-09', TIMESTAMP '2021-02-03', 50.0::DOUBLE),
  (1, TIMESTAMP '2021-02-09', NULL, 0.0),
  (1, TIMESTAMP '2021-02-09', TIMESTAMP '2020-12-01', 300.0),
  (2, TIMESTAMP '2021-01-20', TIMESTAMP '2021-01-15', NULL),
  (3, TIMESTAMP '2021-01-20', NULL, 1.0),
  (1, TIMESTAMP '2020-12-31', NULL, 1.0)
) AS t(customer_id, event_timestamp, known_at, basket)`;

describe('definition kinds', () => {
  it('a view without entities joins every entity row by time alone', async () => {
    const job = await store.getHistoricalFeatures({
      entities: spine,
      features: ['market:index_level', 'rfm:recency_days'],
      freshness: true,
      name: 'global_view',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/global-view.sql');
    const rows = plain(await job.toRows());
    expect(rows.map((r) => [r['index_level'], r['market__event_timestamp']])).toEqual([
      [2.5, '2021-02-01T00:00:00'],
      [2.5, '2021-02-01T00:00:00'],
      [2.5, '2021-02-01T00:00:00'],
      [1.0, '2021-01-01T00:00:00'],
      [1.0, '2021-01-01T00:00:00'],
      [null, null],
    ]);
    expect(rows.map((r) => r['recency_days'])).toEqual([21, 21, 21, 4, null, null]);
  });

  it('declared types come out as declared, whatever the file holds', async () => {
    const job = await store.getHistoricalFeatures({
      entities: spine,
      features: 'typed:*',
      name: 'declared_types',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/declared-types.sql');
    const rows = await job.toRows();
    // The file: recency_days BIGINT, monetary DOUBLE; declared float64 and int64.
    expect(rows[0]).toMatchObject({ recency_days: 21, monetary: 210n });
    expect(typeof rows[0]!['recency_days']).toBe('number');
    const columns = await job.toColumns();
    expect([...(columns.columns['monetary'] as Float64Array)].slice(0, 4)).toEqual([
      210, 210, 210, 99,
    ]);
  });

  it('asOfColumn: each entity row has its own knowledge time (NULL: none)', async () => {
    const job = await store.getHistoricalFeatures({
      entities: spine,
      features: ['rfm:*', 'market:index_level'],
      asOfColumn: 'known_at',
      name: 'as_of_column',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/as-of-column.sql');
    const rows = plain(await job.toRows());
    expect(rows.map((r) => [r['recency_days'], r['monetary'], r['index_level']])).toEqual([
      [20, 200, 2.5],
      [21, 210, 2.5],
      [null, null, null],
      [4, 99, 1.0],
      [null, null, 1.0],
      [null, null, null],
    ]);
  });

  it('start/end without entity rows: every key at each of its feature timestamps in the range', async () => {
    const job = await store.getHistoricalFeatures({
      start: '2021-01-01',
      end: '2021-02-01',
      features: ['rfm:*', 'behavior:return_rate', 'market:index_level'],
      asOf: '2021-02-04',
      name: 'range',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/range.sql');
    expect(job.parameters).toMatchObject({
      start: '2021-01-01 00:00:00',
      end: '2021-02-01 00:00:00',
    });
    expect(plain(await job.toRows())).toEqual([
      {
        customer_id: 1,
        event_timestamp: '2021-01-01T00:00:00',
        recency_days: 10,
        monetary: 100,
        return_rate: null,
        index_level: 1,
      },
      {
        customer_id: 1,
        event_timestamp: '2021-01-10T00:00:00',
        recency_days: 10,
        monetary: 100,
        return_rate: 0.5,
        index_level: 1,
      },
      {
        customer_id: 1,
        event_timestamp: '2021-02-01T00:00:00',
        recency_days: 20,
        monetary: 200,
        return_rate: 0.5,
        index_level: 2.5,
      },
      {
        customer_id: 2,
        event_timestamp: '2021-01-15T00:00:00',
        recency_days: 4,
        monetary: 99,
        return_rate: null,
        index_level: 1,
      },
    ]);
  });

  it('on-demand features: expressions over retrieved features and request columns', async () => {
    const job = await store.getHistoricalFeatures({
      entities: spine,
      features: ['spend:*', 'rfm:monetary'],
      name: 'on_demand',
    });
    await expect(job.sql).toMatchFileSnapshot('__snapshots__/on-demand.sql');
    const rows = plain(await job.toRows());
    expect(
      rows.map((r) => [r['monetary'], r['per_day'], r['basket_share'], r['big_basket']]),
    ).toEqual([
      [210, 10, 50 / 260, false],
      [210, 10, 0, false],
      [210, 10, 300 / 510, true],
      [99, 99 / 4, null, null],
      [null, null, 1, false],
      [null, null, 1, false],
    ]);
    expect(Object.keys(rows[0]!)).toEqual([
      'customer_id',
      'event_timestamp',
      'known_at',
      'basket',
      'monetary',
      'per_day',
      'basket_share',
      'big_basket',
    ]);
    const columns = await job.toColumns();
    expect([...(columns.columns['big_basket'] as Float64Array)]).toEqual([0, 0, 1, NaN, 0, 0]);
    // Online: the same expressions over the fetched values, evaluated by DuckDB.
    const raw = await job.toRows();
    const inputs = await store.getHistoricalFeatures({
      entities: spine,
      features: ['rfm:*'],
      name: 'on_demand_inputs',
    });
    const fetched = await inputs.toRows();
    const online = await evaluateOnDemand(instance, fixture.onDemandViews[0]!, fixture.allViews, {
      recency_days: fetched.map((r) => r['recency_days']),
      monetary: fetched.map((r) => r['monetary']),
      basket: fetched.map((r) => r['basket']),
    });
    expect(online['per_day']).toEqual(raw.map((r) => r['per_day']));
    expect(online['basket_share']).toEqual(raw.map((r) => r['basket_share']));
    expect(online['big_basket']).toEqual(raw.map((r) => r['big_basket']));
  });
});
