import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { openRegistry } from '../../src/registry/registry.js';
import * as state from '../../src/registry/state.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import * as compiler from '../../src/retrieval/compiler.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import * as plan from '../../src/retrieval/plan.js';
import { registryDefinitionSource } from '../../src/retrieval/registry-source.js';
import { makeProject, repoSource } from '../repo/temp-repo.js';
import { createFixture, type Fixture } from './fixtures.js';

// One request path: the definitions are read once, the request planned once, and each SQL
// form (as run, and with numbers as DOUBLE for toColumns) rendered once.
vi.mock('../../src/retrieval/plan.js', async (original) => {
  const actual = await original<typeof import('../../src/retrieval/plan.js')>();
  return { ...actual, planRetrieval: vi.fn(actual.planRetrieval) };
});
vi.mock('../../src/retrieval/compiler.js', async (original) => {
  const actual = await original<typeof import('../../src/retrieval/compiler.js')>();
  return { ...actual, renderRetrieval: vi.fn(actual.renderRetrieval) };
});
vi.mock('../../src/registry/state.js', async (original) => {
  const actual = await original<typeof import('../../src/registry/state.js')>();
  return { ...actual, readState: vi.fn(actual.readState) };
});

let fixture: Fixture;
beforeAll(async () => {
  fixture = await createFixture();
});
afterAll(() => fixture?.cleanup());

describe('one request path', () => {
  it('reads the definitions once, plans once, renders each SQL form once', async () => {
    let reads = 0;
    const store = await FeatureStore.open({
      source: {
        readDefinitions: async () => {
          reads++;
          return fixture.source.readDefinitions();
        },
      },
      paths: fixture.paths,
      writeCompiled: false,
    });
    try {
      vi.mocked(plan.planRetrieval).mockClear();
      vi.mocked(compiler.renderRetrieval).mockClear();
      const job = await store.getHistoricalFeatures({
        entities: fixture.entityPath,
        features: 'model_features',
      });
      expect(reads).toBe(1);
      expect(plan.planRetrieval).toHaveBeenCalledTimes(1);
      expect(compiler.renderRetrieval).toHaveBeenCalledTimes(1);
      await job.toParquet(join(fixture.root, 'path.parquet'));
      await job.toRows();
      expect(compiler.renderRetrieval).toHaveBeenCalledTimes(1);
      await job.toColumns();
      await job.toColumns();
      expect(compiler.renderRetrieval).toHaveBeenCalledTimes(2);
      expect(vi.mocked(compiler.renderRetrieval).mock.calls[1]![1]).toEqual({
        numericAsDouble: true,
      });
      expect(plan.planRetrieval).toHaveBeenCalledTimes(1);
      expect(reads).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('through the registry: one read of its state per request, the repository check included', async () => {
    const project = makeProject({ 'feature_store/feature_store.ts': repoSource() });
    const pglite = new PGlite();
    try {
      const paths = projectPaths({ root: project.root });
      mkdirSync(join(paths.repo, 'data'), { recursive: true });
      await withConnection((c) =>
        c.run(`COPY (SELECT 1::BIGINT AS customer_id, TIMESTAMP '2021-01-01' AS event_timestamp,
          TIMESTAMP '2021-01-01' AS created_timestamp, 3::BIGINT AS n_orders, 1.5::DOUBLE AS spend)
          TO '${join(paths.repo, 'data', 'stats.parquet')}' (FORMAT parquet)`),
      );
      const repo = await loadRepository(paths);
      const registry = await openRegistry({ paths, pglite, project: repo.config.project });
      await registry.apply(repo);
      const warnings: string[] = [];
      const changed = { ...repo, featureViews: [] };
      const store = await FeatureStore.open({
        paths,
        source: registryDefinitionSource(registry, changed, (m) => warnings.push(m)),
        writeCompiled: false,
      });
      try {
        const request = {
          entities: `SELECT 1::BIGINT AS customer_id, TIMESTAMP '2021-02-01' AS event_timestamp`,
          features: 'stats:*',
        };
        vi.mocked(state.readState).mockClear();
        const job = await store.getHistoricalFeatures(request);
        expect(state.readState).toHaveBeenCalledTimes(1);
        expect(warnings).toEqual([expect.stringMatching(/1 to delete\); .* run `duckfeat apply`/)]);
        expect((await job.toRows())[0]).toMatchObject({ n_orders: 3n, spend: 1.5 });
        await store.getHistoricalFeatures(request);
        expect(state.readState).toHaveBeenCalledTimes(2);
        expect(warnings).toHaveLength(1);
      } finally {
        await store.close();
        await registry.close();
      }
    } finally {
      await pglite.close().catch(() => {});
      project.cleanup();
    }
  });
});
