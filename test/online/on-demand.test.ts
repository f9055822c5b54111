import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProjectPaths, projectPaths } from '../../src/config/paths.js';
import { InputError } from '../../src/errors.js';
import { materialize } from '../../src/online/materialize.js';
import { OnlineFeatureStore } from '../../src/online/online-feature-store.js';
import type { OnlineValue } from '../../src/online/types.js';
import { isoFromMicros } from '../../src/online/value-types.js';
import { openRegistry, type Registry } from '../../src/registry/registry.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { makeProject } from '../repo/temp-repo.js';
import { STORES } from './helpers.js';
import {
  dataPath,
  makeStats,
  makeStores,
  random,
  repositorySource,
  STATS_COLUMNS,
  STORE_COLUMNS,
  writeParquet,
} from './synthetic.js';

// On-demand views served online: after `materialize --end E`, each on-demand value of
// `getOnlineFeatures` (requestTime E) equals the one point-in-time retrieval computes for
// the same entity rows at E, on both stores. The synthetic `stats` view has a 2-day TTL,
// so some rows are OUTSIDE_MAX_AGE and some keys NOT_FOUND: their inputs are NULL online as
// they are in the offline join.
const END = '2024-01-12 00:00:00';
const IDS = 303;
const ODV_FEATURES = ['per_order', 'orders_x2', 'big', 'tag', 'seen', 'filled'] as const;

const ON_DEMAND = `
import { onDemandFeatureView, requestSource } from 'duckfeat';
export const checkout = requestSource({
  name: 'checkout',
  schema: { basket: 'float64', checkout_at: 'timestamp', coupon: 'string' },
});
export const spendNow = onDemandFeatureView({
  name: 'spend_now',
  sources: [stats, checkout],
  schema: { per_order: 'float64', orders_x2: 'int64', big: 'bool', tag: 'string', seen: 'timestamp', filled: 'float64' },
  expressions: {
    per_order: 'spend / nullif(n_orders, 0)',
    orders_x2: 'n_orders * 2',
    big: 'basket > spend',
    tag: "coalesce(label, 'none') || '-' || coupon",
    seen: 'checkout_at - INTERVAL 1 DAY',
    filled: 'coalesce(spend, -1.0) + coalesce(basket, 0)',
  },
});
export const withOdv = featureService({ name: 'with_odv', features: ['stats:n_orders', spendNow] });
`;

/** The entity rows with their request columns, as SQL (the historical side). */
const SPINE = `SELECT i::BIGINT AS customer_id, TIMESTAMP '${END}' AS event_timestamp,
  CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 13) * 7.5 END AS basket,
  TIMESTAMP '2024-01-11 12:00:00' + to_minutes(i) AS checkout_at,
  'c' || (i % 3) AS coupon
FROM range(0, ${IDS}) t(i) ORDER BY i`;

/** A historical value as the online response writes it. */
function responseValue(value: unknown): OnlineValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return isoFromMicros(value.getTime() * 1000);
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  return value as OnlineValue;
}

describe('on-demand views online (synthetic data, equal to point-in-time retrieval)', () => {
  let project: { root: string; cleanup(): void };
  let paths: ProjectPaths;
  let pglite: PGlite;
  let registry: Registry;
  let historical: Record<string, unknown>[];

  beforeAll(async () => {
    project = makeProject({
      'feature_store/feature_store.ts': repositorySource() + ON_DEMAND,
    });
    paths = projectPaths({ root: project.root });
    mkdirSync(join(paths.repo, 'data'));
    const rng = random(20261203);
    await writeParquet(
      dataPath(project.root, 'stats.parquet'),
      makeStats(rng, 280, 2500),
      STATS_COLUMNS,
    );
    await writeParquet(
      dataPath(project.root, 'store_sales.parquet'),
      makeStores(rng, 50),
      STORE_COLUMNS,
    );
    pglite = new PGlite();
    const repo = await loadRepository(paths);
    registry = await openRegistry({ paths, pglite, project: repo.config.project });
    await registry.apply(repo);
    const offline = await FeatureStore.open({ paths, source: registry, writeCompiled: false });
    try {
      historical = await (
        await offline.getHistoricalFeatures({ entities: { sql: SPINE }, features: 'with_odv' })
      ).toRows();
    } finally {
      await offline.close();
    }
  });
  afterAll(async () => {
    await registry?.close();
    await pglite?.close().catch(() => {});
    project?.cleanup();
  });

  /** The request: join keys and request columns from the historical entity rows. */
  const entities = () => ({
    customer_id: historical.map((r) => Number(r['customer_id'])),
    basket: historical.map((r) => r['basket'] as number | null),
    checkout_at: historical.map((r) => (r['checkout_at'] as Date).toISOString()),
    coupon: historical.map((r) => r['coupon'] as string),
  });

  for (const kind of STORES) {
    it(`${kind.name}: on-demand values equal the historical retrieval's at the materialize end`, async () => {
      const { store, dispose } = await kind.open('onlinetest');
      const online = await OnlineFeatureStore.open({ paths, source: registry, store });
      try {
        await materialize({ paths, registry, store, end: END });
        const response = await online.getOnlineFeatures({
          featureService: 'with_odv',
          entities: entities(),
          requestTime: END,
        });
        // Request columns are not echoed (Feast drops request data from the response).
        expect(response.metadata.feature_names).toEqual([
          'customer_id',
          'n_orders',
          ...ODV_FEATURES,
        ]);
        const inputs = response.results[1]!.statuses;
        // Both NULL-input cases occur: keys without a row, rows older than the TTL.
        expect(inputs.filter((s) => s === 'NOT_FOUND').length).toBeGreaterThan(0);
        expect(inputs.filter((s) => s === 'OUTSIDE_MAX_AGE').length).toBeGreaterThan(0);
        const mismatches: string[] = [];
        let nulls = 0;
        ODV_FEATURES.forEach((feature, f) => {
          const column = response.results[f + 2]!;
          historical.forEach((row, i) => {
            const want = responseValue(row[feature]);
            const status = want === null ? 'NULL_VALUE' : 'PRESENT';
            if (want === null) nulls++;
            if (
              !Object.is(column.values[i], want) ||
              column.statuses[i] !== status ||
              column.event_timestamps[i] !== '1970-01-01T00:00:00Z'
            ) {
              mismatches.push(
                `${row['customer_id']} ${feature}: online ${column.values[i]} ${column.statuses[i]}, historical ${want} ${status}`,
              );
            }
          });
        });
        expect(mismatches.slice(0, 10)).toEqual([]);
        expect(nulls).toBeGreaterThan(0);
        // An expression over NULL inputs still gives a value: PRESENT, as Feast computes it.
        const filled = response.results[2 + ODV_FEATURES.indexOf('filled')]!;
        inputs.forEach((s, i) => {
          if (s === 'NOT_FOUND') expect(filled.statuses[i]).toBe('PRESENT');
        });

        // Full feature names, and the on-demand view asked for directly.
        const direct = await online.getOnlineFeatures({
          features: ['spend_now:filled'],
          entities: {
            customer_id: [1, 100000],
            basket: [2, null],
            checkout_at: [END, END],
            coupon: ['x', 'y'],
          },
          fullFeatureNames: true,
          requestTime: END,
        });
        expect(direct.metadata.feature_names).toEqual(['customer_id', 'spend_now__filled']);
        expect(direct.results[1]!.values[1]).toBe(-1);
      } finally {
        await online.close();
        await dispose();
      }
    }, 60_000);
  }

  it('names missing request columns and checks their types', async () => {
    const { store, dispose } = await STORES[0]!.open('onlinetest');
    const online = await OnlineFeatureStore.open({ paths, source: registry, store });
    try {
      await expect(
        online.getOnlineFeatures({
          featureService: 'with_odv',
          entities: { customer_id: [1], basket: [1.5] },
        }),
      ).rejects.toThrow(
        /on-demand view "spend_now" needs request column "checkout_at", on-demand view "spend_now" needs request column "coupon"/,
      );
      await expect(
        online.getOnlineFeatures({
          features: ['spend_now:big'],
          entities: { customer_id: [1], basket: ['much'], checkout_at: [END], coupon: ['x'] },
        }),
      ).rejects.toThrow(/column "basket" is float64, but value 1 is "much"/);
      await expect(
        online.getOnlineFeatures({
          features: ['spend_now:seen'],
          entities: { customer_id: [1], basket: [1], checkout_at: ['tomorrow'], coupon: ['x'] },
        }),
      ).rejects.toThrow(InputError);
    } finally {
      await online.close();
      await dispose();
    }
  });
});
