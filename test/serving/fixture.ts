import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProjectPaths, projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { openRegistry } from '../../src/registry/registry.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import { trainGBDT } from '../../src/training/gbdt.js';
import type { Model } from '../../src/training/model.js';
import { saveModel } from '../../src/training/model-file.js';
import { makeProject } from '../repo/temp-repo.js';

/** The feature repository of the server tests: two views keyed by customer, an on-demand view, services. */
export function servingRepo(extra = ''): string {
  return `import { defineConfig, entity, featureService, featureView, fileSource, onDemandFeatureView, requestSource } from 'duckfeat';
export const config = defineConfig({ project: 'serving' });
export const customer = entity({ name: 'customer', joinKeys: ['customer_id'], valueType: 'int64' });
export const stats = featureView({
  name: 'stats', entities: [customer], ttl: '90d',
  schema: { n_orders: 'int64', spend: 'float64' },
  source: fileSource({ path: 'data/stats.parquet', timestampField: 'event_timestamp', createdTimestampColumn: 'created_timestamp' }),
});
export const profile = featureView({
  name: 'profile', entities: [customer], ttl: 0,
  schema: { segment: 'string', spend: 'float64' },
  source: fileSource({ path: 'data/profile.parquet', timestampField: 'event_timestamp' }),
});
export const statsService = featureService({ name: 'stats_service', features: [stats] });
export const everything = featureService({ name: 'everything', features: ['stats:*', 'profile:segment'] });
export const ratio = onDemandFeatureView({
  name: 'ratio', sources: [stats, requestSource({ name: 'checkout', schema: { basket: 'float64' } })],
  schema: { spend_per_order: 'float64', basket_share: 'float64' },
  expressions: { spend_per_order: 'spend / nullif(n_orders, 0)', basket_share: 'basket / (basket + coalesce(spend, 0))' },
});
export const withRatio = featureService({ name: 'with_ratio', features: [stats, ratio] });
${extra}
`;
}

export interface ServingProject {
  readonly root: string;
  readonly paths: ProjectPaths;
  readonly model: Model;
  readonly modelPath: string;
  /** Apply the repository's current `feature_store.ts` to its embedded registry. */
  apply(): Promise<void>;
  cleanup(): void;
}

/**
 * A project on disk: the repository above, its offline parquet files (a few rows in 2021),
 * applied to its embedded registry, and a small model on `n_orders`, `spend` at
 * `models/purchase_model.txt`.
 */
export async function servingProject(): Promise<ServingProject> {
  const project = makeProject({ 'feature_store/feature_store.ts': servingRepo() });
  const paths = projectPaths({ root: project.root });
  await mkdir(paths.featureData, { recursive: true });
  await withConnection(async (c) => {
    await c.run(
      `COPY (SELECT * FROM (VALUES
        (1::BIGINT, TIMESTAMP '2021-01-01', TIMESTAMP '2021-01-01', 3::BIGINT, 30.5::DOUBLE),
        (2, TIMESTAMP '2021-01-01', TIMESTAMP '2021-01-01', 1, 12.25)
      ) AS t(customer_id, event_timestamp, created_timestamp, n_orders, spend)) TO $out (FORMAT parquet)`,
      { out: join(paths.featureData, 'stats.parquet') },
    );
    await c.run(
      `COPY (SELECT * FROM (VALUES (1::BIGINT, TIMESTAMP '2021-01-01', 'gold', 1.0::DOUBLE))
        AS t(customer_id, event_timestamp, segment, spend)) TO $out (FORMAT parquet)`,
      { out: join(paths.featureData, 'profile.parquet') },
    );
  });
  const apply = async () => {
    const repo = await loadRepository(paths);
    const registry = await openRegistry({ paths, config: repo.config });
    try {
      await registry.apply(repo);
    } finally {
      await registry.close();
    }
  };
  await apply();
  const n = 400;
  const nOrders = new Float64Array(n);
  const spend = new Float64Array(n);
  const label = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    nOrders[i] = i % 13;
    spend[i] = ((i * 37) % 101) + 0.5;
    label[i] = nOrders[i]! * 10 + spend[i]! > 90 ? 1 : 0;
  }
  const model = await trainGBDT({
    features: [nOrders, spend],
    featureNames: ['n_orders', 'spend'],
    label,
    params: { num_iterations: 8, num_leaves: 4, min_data_in_leaf: 5 },
  });
  const modelPath = join(paths.models, 'purchase_model.txt');
  await saveModel(model, modelPath);
  return { root: project.root, paths, model, modelPath, apply, cleanup: project.cleanup };
}

/** A key prefix no other test or engineer uses on the shared Redis. */
export function randomKeyPrefix(): string {
  return `duckfeat-test-${randomBytes(6).toString('hex')}`;
}

/** Naive UTC text `days` before now, as pushes give timestamps. */
export function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
}
