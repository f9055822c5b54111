import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/duckdb/column-types.js';
import { compileRetrieval } from '../../src/retrieval/compiler.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { createFixture, type Fixture } from './fixtures.js';

// Each error is one line saying what is wrong and what exists, raised before anything runs.
let fixture: Fixture;
beforeAll(async () => {
  fixture = await createFixture();
});
afterAll(() => fixture?.cleanup());

const entityColumns: ColumnInfo[] = [
  { name: 'customer_id', type: 'BIGINT' },
  { name: 'event_timestamp', type: 'TIMESTAMP' },
];
const compile = (features: string | string[], columns = entityColumns, extra = {}) =>
  compileRetrieval({
    request: { features, ...extra },
    views: fixture.views,
    services: fixture.services,
    entities: { relation: { kind: 'parquet', path: '/e.parquet' }, columns },
  });

describe('retrieval errors', () => {
  it('unknown view, feature or service: lists the close names', () => {
    expect(() => compile('rfn:monetary')).toThrow(/no feature view "rfn"; did you mean: rfm$/);
    expect(() => compile('rfm:monetry')).toThrow(
      /has no feature "monetry"; did you mean: monetary$/,
    );
    expect(() => compile('model_feature')).toThrow(/did you mean: model_features$/);
    expect(() => compile('rfm')).toThrow(/not a feature service/);
  });

  it('entity rows missing a join key or the timestamp, or a timestamp of the wrong type', () => {
    expect(() => compile('rfm:*', [entityColumns[1]!])).toThrow(
      /lack join key "customer_id" of feature view "rfm" \(entity columns: event_timestamp\)/,
    );
    expect(() => compile('rfm:*', [entityColumns[0]!])).toThrow(
      /no event_timestamp column and no other timestamp column/,
    );
    expect(() =>
      compile('rfm:*', [entityColumns[0]!, { name: 'event_timestamp', type: 'VARCHAR' }]),
    ).toThrow(/"event_timestamp" has type VARCHAR/);
    expect(() =>
      compile('rfm:*', [
        entityColumns[0]!,
        { name: 'a', type: 'TIMESTAMP' },
        { name: 'b', type: 'DATE' },
      ]),
    ).toThrow(/2 timestamp columns \(a, b\)/);
  });

  it('the one timestamp column is used when there is no event_timestamp', () => {
    const compiled = compile('rfm:*', [entityColumns[0]!, { name: 'as_of_date', type: 'DATE' }]);
    expect(compiled.timestampColumn).toBe('as_of_date');
    expect(compiled.sql).toContain(`CAST("as_of_date" AS TIMESTAMP)`);
  });

  it('a name collision without full names says to use full names', () => {
    const views = [
      fixture.views[0]!,
      { ...fixture.views[1]!, name: 'rfm2', features: fixture.views[0]!.features },
    ];
    expect(() =>
      compileRetrieval({
        request: { features: ['rfm:monetary', 'rfm2:monetary'] },
        views,
        entities: { relation: { kind: 'parquet', path: '/e.parquet' }, columns: entityColumns },
      }),
    ).toThrow(/"monetary" would come from both view "rfm" and view "rfm2"; use full feature names/);
    expect(() =>
      compile('rfm:*', [...entityColumns, { name: 'monetary', type: 'DOUBLE' }]),
    ).toThrow(/both an entity column and view "rfm"/);
  });

  it('a TTL override for a view not requested, and bad durations', () => {
    expect(() => compile('rfm:*', entityColumns, { ttlOverride: { behavior: '1d' } })).toThrow(
      /not requested/,
    );
    expect(() => compile('rfm:*', entityColumns, { ttlOverride: { rfm: '1y' } })).toThrow(
      /not a duration/,
    );
    expect(
      compile('rfm:*', entityColumns, { ttlOverride: { rfm: '1d12h' } }).parameters,
    ).toMatchObject({
      rfm_ttl_seconds: 129_600,
    });
  });

  it('a missing entity file, and a missing feature column in the source, fail before running', async () => {
    const store = await FeatureStore.open({ source: fixture.source, paths: fixture.paths });
    try {
      await expect(
        store.getHistoricalFeatures({ entities: 'missing.parquet', features: 'rfm:*' }),
      ).rejects.toThrow(/^Failed to read entity rows: no file at .*missing\.parquet$/);
      const views = [
        { ...fixture.views[0]!, features: [{ name: 'nope', type: 'int64' as const }] },
      ];
      const broken = await FeatureStore.open({
        source: { readDefinitions: async () => ({ views, services: [] }) },
        paths: fixture.paths,
      });
      await expect(
        broken.getHistoricalFeatures({ entities: fixture.entityPath, features: 'rfm:nope' }),
      ).rejects.toThrow(/has no column "nope"/);
      await broken.close();
    } finally {
      await store.close();
    }
  });
});
