import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '../../src/duckdb/connection.js';
import { latestRowPerKeySql, sourceRelation } from '../../src/retrieval/source-relation.js';
import { createFixture, type Fixture, plain } from './fixtures.js';

// The newest row per key (what materialize writes online), by the same rule as retrieval:
// greatest feature timestamp <= end, then greatest created, then smallest feature values.
let fixture: Fixture;
beforeAll(async () => {
  fixture = await createFixture();
});
afterAll(() => fixture?.cleanup());

async function latest(until: string, asOf?: string) {
  const rfm = fixture.views[0]!;
  const sql = latestRowPerKeySql(sourceRelation(rfm), {
    pathParameter: 'path',
    until: 'end',
    ...(asOf ? { asOf: 'as_of' } : {}),
  });
  const rows = await withConnection(async (c) =>
    (
      await c.runAndReadAll(`SELECT * FROM (${sql}) ORDER BY customer_id`, {
        path: rfm.source.path,
        end: until,
        ...(asOf ? { as_of: asOf } : {}),
      })
    ).getRowObjectsJS(),
  );
  return plain(rows);
}

describe('latestRowPerKeySql', () => {
  it('keeps the newest row per key at or before the end, ties as retrieval decides them', async () => {
    expect(await latest('2021-02-03')).toEqual([
      { customer_id: 1, __feature_ts: '2021-02-01T00:00:00', recency_days: 21, monetary: 210 },
      { customer_id: 2, __feature_ts: '2021-01-15T00:00:00', recency_days: 4, monetary: 99 },
    ]);
    expect((await latest('2021-01-20')).map((r) => r['recency_days'])).toEqual([10, 4]);
    expect((await latest('2021-01-10')).map((r) => r['recency_days'])).toEqual([10]);
  });

  it('with asOf, rows created later do not count', async () => {
    expect((await latest('2021-02-03', '2021-02-03')).map((r) => r['recency_days'])).toEqual([
      20, 4,
    ]);
  });
});
