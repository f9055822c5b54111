import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectPaths } from '../../src/config/paths.js';
import {
  featureService,
  onDemandFeatureView,
  requestSource,
} from '../../src/definitions/factories.js';
import { materialize } from '../../src/online/materialize.js';
import { OnlineFeatureStore } from '../../src/online/online-feature-store.js';
import { isoFromMicros } from '../../src/online/value-types.js';
import { openRegistry, type Registry } from '../../src/registry/registry.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { prepareRealData, REAL_DATA } from '../retrieval/real-data-project.js';
import { STORES } from './helpers.js';

// The acceptance test of materialize + online reads: on the real UCI data, after
// `materialize --end <latest cutoff>`, the online vector of every customer equals the
// point-in-time retrieval at that cutoff, value for value, on both stores; and so do the
// values of an on-demand view (with a request column) served through a feature service.
const LATEST_CUTOFF = '2011-10-27 08:26:00';

// An on-demand view over both of the example's views and a request column, and a service
// listing it: its online values must equal the retrieval's too.
const basket = onDemandFeatureView({
  name: 'basket',
  sources: [
    'customer_rfm_features',
    'customer_behavior_features',
    requestSource({ name: 'checkout', schema: { basket_value: 'float64' } }),
  ],
  schema: {
    basket_to_aov: 'float64',
    spend_per_order: 'float64',
    loyal: 'bool',
    recency_weeks: 'int64',
  },
  expressions: {
    basket_to_aov: 'basket_value / nullif(avg_order_value, 0)',
    spend_per_order: 'monetary / nullif(frequency, 0)',
    loyal: 'frequency >= 5 AND return_rate < 0.1',
    recency_weeks: 'recency_days // 7',
  },
});
const basketService = featureService({
  name: 'basket_service',
  features: ['customer_rfm_features:recency_days', basket],
});
const BASKET_FEATURES = ['basket_to_aov', 'spend_per_order', 'loyal', 'recency_weeks'];

describe.skipIf(!existsSync(REAL_DATA))('online features on the real data', () => {
  let dir: string;
  let paths: ProjectPaths;
  let pglite: PGlite;
  let registry: Registry;
  let customers: number[];
  let expected: Record<string, unknown>[];
  let expectedBasket: Record<string, unknown>[];

  beforeAll(async () => {
    const prepared = await prepareRealData('duckfeat-online-real-');
    ({ dir, paths } = prepared);
    const repo = prepared.repository;
    pglite = new PGlite();
    const opened = await openRegistry({ paths, pglite, project: repo.config.project });
    await opened.apply({
      ...repo,
      onDemandFeatureViews: [basket],
      featureServices: [...repo.featureServices, basketService],
    });
    // The registry points at feature_store/data; this test's prep wrote to a temp folder.
    const moved = <V extends { source: { path: string } }>(views: readonly V[]) =>
      views.map((v) => ({
        ...v,
        source: { ...v.source, path: join(paths.featureData, basename(v.source.path)) },
      }));
    registry = {
      ...opened,
      resolveFeatureViews: async () => moved(await opened.resolveFeatureViews()),
      readDefinitions: async (r) => {
        const definitions = await opened.readDefinitions(r);
        return { ...definitions, views: moved(definitions.views) };
      },
    };

    // Every customer of either view, at any cutoff, plus two that have no row.
    const store = await FeatureStore.open({ paths, source: registry, writeCompiled: false });
    try {
      const spine = `SELECT DISTINCT customer_id, TIMESTAMP '${LATEST_CUTOFF}' AS event_timestamp FROM read_parquet('${paths.featureData}/customer_*_features.parquet') UNION ALL SELECT * FROM (VALUES (-1, TIMESTAMP '${LATEST_CUTOFF}'), (99999999, TIMESTAMP '${LATEST_CUTOFF}')) ORDER BY customer_id`;
      const ids = await (
        await store.getHistoricalFeatures({
          entities: {
            sql: spine,
          },
          features: 'purchase_model_features',
          fullFeatureNames: true,
          freshness: true,
        })
      ).toRows();
      expected = ids;
      customers = ids.map((row) => Number(row['customer_id']));
      expectedBasket = await (
        await store.getHistoricalFeatures({
          entities: {
            sql: `SELECT *, CASE WHEN customer_id % 13 = 0 THEN NULL ELSE (customer_id % 9) * 11.5 END AS basket_value FROM (${spine}) ORDER BY customer_id`,
          },
          features: 'basket_service',
        })
      ).toRows();
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await registry?.close();
    await pglite?.close().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of STORES) {
    it(`${kind.name}: getOnlineFeatures equals getHistoricalFeatures at the latest cutoff for every customer`, async () => {
      const { store, dispose } = await kind.open('retail');
      try {
        const result = await materialize({ paths, registry, store, end: LATEST_CUTOFF });
        const views = new Map(result.views.map((v) => [v.view, v.rows]));
        expect(customers.length).toBeGreaterThan(3900);
        // Every customer but the two made-up ones has a row in both views.
        expect(views.get('customer_rfm_features')).toBe(customers.length - 2);
        expect(views.get('customer_behavior_features')).toBe(customers.length - 2);

        const online = await OnlineFeatureStore.open({ paths, source: registry, store });
        const response = await online.getOnlineFeatures({
          featureService: 'purchase_model_features',
          entities: { customer_id: customers },
          fullFeatureNames: true,
          requestTime: LATEST_CUTOFF,
        });
        await online.close();

        const names = response.metadata.feature_names;
        expect(names[0]).toBe('customer_id');
        expect(names.length).toBe(10);
        let compared = 0;
        const mismatches: string[] = [];
        names.forEach((name, column) => {
          if (column === 0) return;
          const view = name.split('__')[0]!;
          const { values, statuses, event_timestamps } = response.results[column]!;
          expected.forEach((row, i) => {
            const want = row[name];
            const wantValue = typeof want === 'bigint' ? Number(want) : want;
            const wantTs = row[`${view}__event_timestamp`] as Date | null;
            const wantStatus =
              wantTs === null ? 'NOT_FOUND' : wantValue === null ? 'NULL_VALUE' : 'PRESENT';
            const gotTs =
              wantTs === null ? '1970-01-01T00:00:00Z' : wantTs.toISOString().replace('.000Z', 'Z');
            if (
              !Object.is(values[i], wantValue) ||
              statuses[i] !== wantStatus ||
              event_timestamps[i] !== gotTs
            ) {
              mismatches.push(
                `${customers[i]} ${name}: online ${values[i]} ${statuses[i]} ${event_timestamps[i]}, historical ${wantValue} ${wantStatus} ${gotTs}`,
              );
            }
            compared++;
          });
        });
        expect(mismatches.slice(0, 10)).toEqual([]);
        expect(compared).toBe(customers.length * 9);
        expect(response.results[1]!.statuses.filter((s) => s === 'NOT_FOUND').length).toBe(2);

        // The on-demand view, through the service that lists it.
        const online2 = await OnlineFeatureStore.open({ paths, source: registry, store });
        const odv = await online2.getOnlineFeatures({
          featureService: 'basket_service',
          entities: {
            customer_id: customers,
            basket_value: expectedBasket.map((r) => r['basket_value'] as number | null),
          },
          requestTime: LATEST_CUTOFF,
        });
        await online2.close();
        expect(odv.metadata.feature_names).toEqual([
          'customer_id',
          'recency_days',
          ...BASKET_FEATURES,
        ]);
        const odvMismatches: string[] = [];
        let present = 0;
        BASKET_FEATURES.forEach((feature, f) => {
          const { values, statuses } = odv.results[f + 2]!;
          expectedBasket.forEach((row, i) => {
            expect(Number(row['customer_id'])).toBe(customers[i]);
            const raw = row[feature];
            const want =
              typeof raw === 'bigint'
                ? Number(raw)
                : raw instanceof Date
                  ? isoFromMicros(raw.getTime() * 1000)
                  : raw === undefined || (typeof raw === 'number' && Number.isNaN(raw))
                    ? null
                    : raw;
            const status = want === null ? 'NULL_VALUE' : 'PRESENT';
            if (status === 'PRESENT') present++;
            if (!Object.is(values[i], want) || statuses[i] !== status) {
              odvMismatches.push(
                `${customers[i]} ${feature}: online ${values[i]} ${statuses[i]}, historical ${want} ${status}`,
              );
            }
          });
        });
        expect(odvMismatches.slice(0, 10)).toEqual([]);
        expect(present).toBeGreaterThan(customers.length * 3);
      } finally {
        await dispose();
      }
    }, 60_000);
  }
});
