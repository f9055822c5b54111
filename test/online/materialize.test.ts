import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProjectPaths, projectPaths } from '../../src/config/paths.js';
import { InputError, NotFoundError } from '../../src/errors.js';
import { materialize } from '../../src/online/materialize.js';
import { OnlineFeatureStore } from '../../src/online/online-feature-store.js';
import { openRegistry, type Registry } from '../../src/registry/registry.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import { makeProject } from '../repo/temp-repo.js';
import { STORES } from './helpers.js';
import {
  dataPath,
  makeStats,
  makeStores,
  newestRows,
  random,
  repositorySource,
  STATS_COLUMNS,
  STATS_FEATURES,
  STORE_COLUMNS,
  type StatsRow,
  type StoreRow,
  writeParquet,
} from './synthetic.js';

// Materialize and online reads on seeded synthetic data, checked against a reference
// computed in plain JS: every value, status and timestamp, for int64 and composite string
// keys, the TTL at read time, incremental runs, and bad requests.
const E1 = '2024-01-10 00:00:00';
const E2 = '2024-01-20 00:00:00';
const CUSTOMERS = 300;
const SEP = '\u0000';

describe('materialize and getOnlineFeatures (synthetic data, JS reference)', () => {
  let project: { root: string; cleanup(): void };
  let paths: ProjectPaths;
  let pglite: PGlite;
  let registry: Registry;
  let stats: StatsRow[];
  let stores: StoreRow[];

  beforeAll(async () => {
    project = makeProject({ 'feature_store/feature_store.ts': repositorySource() });
    paths = projectPaths({ root: project.root });
    mkdirSync(join(paths.repo, 'data'));
    const rng = random(20261202);
    stats = makeStats(rng, CUSTOMERS, 3000);
    stores = makeStores(rng, 200);
    await writeParquet(dataPath(project.root, 'stats.parquet'), stats, STATS_COLUMNS);
    await writeParquet(dataPath(project.root, 'store_sales.parquet'), stores, STORE_COLUMNS);
    pglite = new PGlite();
    const repo = await loadRepository(paths);
    registry = await openRegistry({ paths, pglite, project: repo.config.project });
    await registry.apply(repo);
  });
  afterAll(async () => {
    await registry?.close();
    await pglite?.close().catch(() => {});
    project?.cleanup();
  });

  /** Check every online value of both views against the reference at `end`. */
  async function expectReference(online: OnlineFeatureStore, end: string): Promise<void> {
    const ids = Array.from({ length: CUSTOMERS + 3 }, (_, i) => i);
    const response = await online.getOnlineFeatures({
      features: STATS_FEATURES.map((f) => `stats:${f}`),
      entities: { customer_id: ids },
      requestTime: end,
    });
    expect(response.metadata.feature_names).toEqual(['customer_id', ...STATS_FEATURES]);
    const want = newestRows(stats, (r) => String(r.customer_id), [...STATS_FEATURES], end);
    const endMs = Date.parse(`${end.replace(' ', 'T')}Z`);
    let outside = 0;
    ids.forEach((id, i) => {
      const row = want.get(String(id));
      STATS_FEATURES.forEach((feature, f) => {
        const column = response.results[f + 1]!;
        if (!row) {
          expect([column.values[i], column.statuses[i]]).toEqual([null, 'NOT_FOUND']);
          expect(column.event_timestamps[i]).toBe('1970-01-01T00:00:00Z');
          return;
        }
        const tsMs = Date.parse(`${row.event_timestamp.replace(' ', 'T')}Z`);
        expect(column.event_timestamps[i]).toBe(new Date(tsMs).toISOString().replace('.000Z', 'Z'));
        if (tsMs < endMs - 2 * 86_400_000) {
          outside++;
          expect([id, feature, column.values[i], column.statuses[i]]).toEqual([
            id,
            feature,
            null,
            'OUTSIDE_MAX_AGE',
          ]);
        } else if (row[feature] === null) {
          expect([id, feature, column.values[i], column.statuses[i]]).toEqual([
            id,
            feature,
            null,
            'NULL_VALUE',
          ]);
        } else {
          expect([id, feature, column.values[i], column.statuses[i]]).toEqual([
            id,
            feature,
            row[feature],
            'PRESENT',
          ]);
        }
      });
    });
    // The data reach both sides of the TTL bound.
    expect(outside).toBeGreaterThan(0);
    expect(outside).toBeLessThan(want.size * STATS_FEATURES.length);

    // Composite string keys (with separators and backslashes in them), TTL 0.
    const storeKeys = [...new Set(stores.map((s) => `${s.region}${SEP}${s.store_code}`))];
    storeKeys.push(`north${SEP}nope`);
    const sales = await online.getOnlineFeatures({
      features: ['store_sales:revenue'],
      entities: {
        region: storeKeys.map((k) => k.split(SEP)[0]!),
        store_code: storeKeys.map((k) => k.split(SEP)[1]!),
      },
      fullFeatureNames: true,
      requestTime: end,
    });
    expect(sales.metadata.feature_names).toEqual(['region', 'store_code', 'store_sales__revenue']);
    const wantSales = newestRows(
      stores,
      (r) => `${r.region}${SEP}${r.store_code}`,
      ['revenue'],
      end,
    );
    const got = sales.results[2]!;
    storeKeys.forEach((key, i) => {
      const row = wantSales.get(key);
      const status = !row ? 'NOT_FOUND' : row.revenue === null ? 'NULL_VALUE' : 'PRESENT';
      expect([key, got.values[i], got.statuses[i]]).toEqual([key, row?.revenue ?? null, status]);
    });
  }

  for (const kind of STORES) {
    it(`${kind.name}: full, then incremental, equal the reference; intervals recorded`, async () => {
      const { store, dispose } = await kind.open('onlinetest');
      const online = await OnlineFeatureStore.open({ paths, source: registry, store });
      try {
        const first = await materialize({ paths, registry, store, end: E1, batchRows: 97 });
        expect(first.views.map((v) => [v.view, v.start, v.rows])).toEqual([
          ['stats', null, newestRows(stats, (r) => String(r.customer_id), [], E1).size],
          [
            'store_sales',
            null,
            newestRows(stores, (r) => `${r.region}${SEP}${r.store_code}`, [], E1).size,
          ],
        ]);
        await expectReference(online, E1);

        const second = await materialize({ paths, registry, store, end: E2, incremental: true });
        expect(second.views.map((v) => [v.view, v.start, v.rows])).toEqual([
          ['stats', E1, newestRows(stats, (r) => String(r.customer_id), [], E2, E1).size],
          [
            'store_sales',
            E1,
            newestRows(stores, (r) => `${r.region}${SEP}${r.store_code}`, [], E2, E1).size,
          ],
        ]);
        await expectReference(online, E2);

        const third = await materialize({ paths, registry, store, end: E2, incremental: true });
        expect(third.views.map((v) => v.upToDate)).toEqual([true, true]);
        const runs = await registry.listOnlineMaterializations({
          view: 'stats',
          store: store.description,
        });
        expect(runs.map((r) => [r.start, r.end])).toEqual([
          [null, E1],
          [E1, E2],
        ]);
      } finally {
        await online.close();
        await dispose();
      }
    }, 30_000);
  }

  it('rejects bad requests with errors naming the problem', async () => {
    const { store, dispose } = await STORES[0]!.open('onlinetest');
    const online = await OnlineFeatureStore.open({ paths, source: registry, store });
    try {
      const entities = { customer_id: [1] };
      await expect(
        online.getOnlineFeatures({ features: ['stats:n_order'], entities }),
      ).rejects.toThrow(/no feature "n_order".*did you mean: n_orders/);
      await expect(online.getOnlineFeatures({ featureService: 'bth', entities })).rejects.toThrow(
        NotFoundError,
      );
      await expect(
        online.getOnlineFeatures({ features: ['stats:spend'], entities: { customer_id: ['abc'] } }),
      ).rejects.toThrow(/join key "customer_id" is int64, but value 1 is "abc"/);
      await expect(
        online.getOnlineFeatures({
          features: ['store_sales:revenue'],
          entities: { region: ['north'] },
        }),
      ).rejects.toThrow(/needs join key "store_code"/);
      await expect(
        online.getOnlineFeatures({
          features: ['store_sales:revenue'],
          entities: { region: ['north'], store_code: [1] },
        }),
      ).rejects.toThrow(InputError);
      await expect(
        online.getOnlineFeatures({
          features: ['stats:spend'],
          entities: { customer_id: [1, 2], x: [1] },
        }),
      ).rejects.toThrow(/same number of values/);
      // A digit string is an int64 key; a bigint too.
      const ok = await online.getOnlineFeatures({
        features: ['stats:spend'],
        entities: { customer_id: ['7', 7n] },
      });
      expect(ok.results[1]!.statuses).toHaveLength(2);
    } finally {
      await online.close();
      await dispose();
    }
  });
});
