import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { openRegistry, type Registry } from '../../src/registry/registry.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { prepareRealData, REAL_DATA } from './real-data-project.js';

// The seed's nine features for the label spine, on the real UCI data: ingest and prep run
// here into a temp folder, the example repository is applied to an in-memory registry,
// and retrieval goes through that registry exactly as `duckfeat retrieve` does.
const FEATURES = [
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

describe.skipIf(!existsSync(REAL_DATA))(`real data (${REAL_DATA})`, () => {
  let dir: string;
  let paths: ProjectPaths;
  let registry: Registry;
  let pglite: PGlite;

  beforeAll(async () => {
    const prepared = await prepareRealData('duckfeat-retrieval-real-');
    ({ dir, paths } = prepared);
    const repo = prepared.repository;
    pglite = new PGlite();
    registry = await openRegistry({ paths, pglite, project: repo.config.project });
    await registry.apply(repo);
  });
  afterAll(async () => {
    await registry?.close();
    await pglite?.close().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives 17,724 rows, all nine features non-NULL and equal to the view parquets at the same cutoff', async () => {
    // The registry points at feature_store/data; this test's prep wrote to a temp folder.
    const source = {
      readDefinitions: async () => {
        const { views, services } = await registry.readDefinitions();
        return {
          services,
          views: views.map((v) => ({
            ...v,
            source: { ...v.source, path: join(paths.featureData, basename(v.source.path)) },
          })),
        };
      },
    };
    const store = await FeatureStore.open({ paths, source });
    const out = join(dir, 'training.parquet');
    try {
      const job = await store.getHistoricalFeatures({
        entities: join(paths.featureData, 'purchase_labels.parquet'),
        features: 'purchase_model_features',
      });
      expect(await job.toParquet(out)).toBe(17_724);
      const columns = await job.toColumns();
      expect(columns.rowCount).toBe(17_724);
      for (const f of FEATURES) {
        expect((columns.columns[f] as Float64Array).some(Number.isNaN), f).toBe(false);
      }
    } finally {
      await store.close();
    }
    const view = (name: string) => join(paths.featureData, `${name}.parquet`);
    const differences = await withConnection(async (c) => {
      const reader = await c.runAndReadAll(
        `SELECT count(*) AS n FROM read_parquet($out) AS r
         JOIN read_parquet($rfm) AS a USING (customer_id, event_timestamp)
         JOIN read_parquet($beh) AS b USING (customer_id, event_timestamp)
         WHERE ${FEATURES.slice(0, 4)
           .map((f) => `r.${f} IS DISTINCT FROM a.${f}`)
           .concat(FEATURES.slice(4).map((f) => `r.${f} IS DISTINCT FROM b.${f}`))
           .join(' OR ')}`,
        {
          out,
          rfm: view('customer_rfm_features'),
          beh: view('customer_behavior_features'),
        },
      );
      const matched = await c.runAndReadAll(
        `SELECT count(*) FROM read_parquet($out) AS r JOIN read_parquet($rfm) AS a USING (customer_id, event_timestamp)`,
        { out, rfm: view('customer_rfm_features') },
      );
      return { distinct: reader.getRowsJS()[0]![0], matched: matched.getRowsJS()[0]![0] };
    });
    expect(differences).toEqual({ distinct: 0n, matched: 17_724n });
  });
});
