import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstance, withConnection } from '../../src/duckdb/connection.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { sourceRelation } from '../../src/retrieval/source-relation.js';
import { duplicateProbe, UniqueKeyChecks } from '../../src/retrieval/unique-keys.js';
import { createFixture, type Fixture, plain } from './fixtures.js';

// Skipping the deduplication of sources checked to be unique on (keys, feature timestamp):
// the probe's verdicts on hand-made sources, the same rows with and without the check,
// and the per-file-version cache (read back from its file, dropped when the file changes).
let fixture: Fixture;
let instance: Awaited<ReturnType<typeof createInstance>>;
beforeAll(async () => {
  fixture = await createFixture();
  instance = await createInstance({ threads: 2 });
});
afterAll(() => {
  instance?.closeSync();
  fixture?.cleanup();
});

const COMPOSITE = `SELECT * FROM (VALUES
  ('s1', 'a', TIMESTAMPTZ '2021-01-01 00:00:00+00'),
  ('s2', 'a', TIMESTAMPTZ '2021-01-03 00:00:00+00')
) AS t(store_id, product, seen_at)`;

async function retrieve(cache: string | false, features: string, entities: string) {
  const store = await FeatureStore.open({
    source: fixture.source,
    paths: fixture.paths,
    instance,
    writeCompiled: false,
    uniqueKeyCache: cache,
  });
  try {
    const job = await store.getHistoricalFeatures({ entities, features });
    return { sql: job.sql, rows: plain(await job.toRows()) };
  } finally {
    await store.close();
  }
}

/** Whether the view's CTE in `sql` deduplicates (has a QUALIFY). */
function dedups(sql: string, view: string): boolean {
  const start = sql.indexOf(`"fv_${view}" AS (`);
  if (start < 0) throw new Error(`no CTE for ${view}`);
  return sql.slice(start, sql.indexOf('\n)', start)).includes('QUALIFY');
}

describe('unique (keys, feature timestamp) sources', () => {
  it('the probe finds the ties of rfm (a NULL key ignored) and none in behavior and sales', async () => {
    const checks = new UniqueKeyChecks();
    const unique = await checks.uniqueViews(
      instance,
      fixture.views.map((v) => sourceRelation(v)),
    );
    expect([...unique].sort()).toEqual(['behavior', 'sales']);
    const sales = fixture.views.find((v) => v.name === 'sales')!;
    expect(
      duplicateProbe(
        sourceRelation(sales, [
          { name: 'store_id', type: 'VARCHAR' },
          { name: 'sku', type: 'VARCHAR' },
          { name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' },
          { name: 'units', type: 'DOUBLE' },
        ]),
      ).sql,
    ).toBe(
      [
        'SELECT count(*) AS duplicates FROM (',
        '  SELECT 1 FROM read_parquet($path)',
        '  WHERE "store_id" IS NOT NULL AND "sku" IS NOT NULL AND "ts" IS NOT NULL',
        `  GROUP BY "store_id", "sku", timezone('UTC', "ts")`,
        '  HAVING count(*) > 1',
        '  LIMIT 1',
        ')',
      ].join('\n'),
    );
  });

  it('gives the same rows with and without the check; only unchecked SQL deduplicates every view', async () => {
    const cache = join(fixture.root, 'checks-a.json');
    for (const [features, entities] of [
      ['model_features', fixture.entityPath],
      ['sales:units', COMPOSITE],
    ] as const) {
      const checked = await retrieve(cache, features, entities);
      const unchecked = await retrieve(false, features, entities);
      expect(checked.rows).toEqual(unchecked.rows);
      expect(checked.rows.length).toBeGreaterThan(0);
      for (const view of ['rfm', 'behavior', 'sales']) {
        if (!unchecked.sql.includes(`"fv_${view}"`)) continue;
        expect(dedups(unchecked.sql, view)).toBe(true);
        expect(dedups(checked.sql, view)).toBe(view === 'rfm');
      }
    }
  });

  it('keeps its verdicts per file version: read back from the cache file, re-checked after a rewrite', async () => {
    const cache = join(fixture.root, 'checks-b.json');
    expect(
      dedups((await retrieve(cache, 'model_features', fixture.entityPath)).sql, 'behavior'),
    ).toBe(false);
    const facts = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, boolean>;
    expect(Object.values(facts).sort()).toEqual([false, true]);
    // A verdict in the file is believed: flip behavior's and the SQL follows it.
    const behaviorKey = Object.keys(facts).find((k) => k.includes('behavior.parquet'))!;
    writeFileSync(cache, JSON.stringify({ ...facts, [behaviorKey]: false }));
    expect(
      dedups((await retrieve(cache, 'model_features', fixture.entityPath)).sql, 'behavior'),
    ).toBe(true);
    writeFileSync(cache, JSON.stringify(facts));
    // Rewrite behavior with a tie on (1, 2021-01-10): checked again, deduplicated, and the
    // row created later wins.
    const path = fixture.views.find((v) => v.name === 'behavior')!.source.path;
    await withConnection(async (c) => {
      await c.run(`COPY (SELECT * FROM read_parquet('${path}') UNION ALL
        SELECT 1::BIGINT, TIMESTAMP '2021-01-10', TIMESTAMP '2021-01-11', 0.25::DOUBLE, 9::BIGINT)
        TO '${path}.new' (FORMAT parquet)`);
    });
    writeFileSync(path, readFileSync(`${path}.new`));
    const after = await retrieve(cache, 'behavior:return_rate', fixture.entityPath);
    expect(dedups(after.sql, 'behavior')).toBe(true);
    expect(after.rows[1]).toMatchObject({ customer_id: 1, return_rate: 0.25 });
    expect(after.rows).toEqual(
      (await retrieve(false, 'behavior:return_rate', fixture.entityPath)).rows,
    );
  });
});
