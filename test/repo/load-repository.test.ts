import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { DefinitionError } from '../../src/errors.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import { makeProject, PROJECT_ROOT, repoSource } from './temp-repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function load(featureStore: string) {
  const project = makeProject({ 'feature_store/feature_store.ts': featureStore });
  cleanups.push(project.cleanup);
  return loadRepository(projectPaths({ root: project.root }));
}

async function loadError(featureStore: string): Promise<DefinitionError> {
  const error = await load(featureStore).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DefinitionError);
  expect((error as DefinitionError).location).toMatch(/feature_store[/\\]feature_store\.ts$/);
  return error as DefinitionError;
}

describe('loadRepository', () => {
  it('loads the example repository the way a user loads theirs', async () => {
    const repo = await loadRepository(projectPaths({ root: PROJECT_ROOT }));
    expect(repo.config.project).toBe('retail');
    expect(repo.file).toBe(join(PROJECT_ROOT, 'feature_store', 'feature_store.ts'));
    expect(repo.entities.map((e) => [e.name, e.joinKeys, e.valueType])).toEqual([
      ['customer', ['customer_id'], 'int64'],
    ]);
    expect(repo.sources.map((s) => s.path).sort()).toEqual([
      'data/customer_behavior_features.parquet',
      'data/customer_rfm_features.parquet',
    ]);
    const views = Object.fromEntries(
      repo.featureViews.map((v) => [v.name, v.features.map((f) => `${f.name}:${f.type}`)]),
    );
    expect(views).toEqual({
      customer_rfm_features: [
        'recency_days:int64',
        'frequency:int64',
        'monetary:float64',
        'tenure_days:int64',
      ],
      customer_behavior_features: [
        'avg_order_value:float64',
        'avg_basket_size:float64',
        'n_unique_products:int64',
        'return_rate:float64',
        'avg_days_between_purchases:float64',
      ],
    });
    expect(repo.featureViews.every((v) => v.ttlSeconds === 0)).toBe(true);
    expect(repo.featureServices.map((s) => s.name)).toEqual(['purchase_model_features']);
  });

  it("loads a file importing the whole package ('duckfeat') as one importing 'duckfeat/definitions'", async () => {
    const lean = await load(repoSource());
    const whole = await load(
      repoSource().replace("from 'duckfeat/definitions'", "from 'duckfeat'"),
    );
    expect(repoSource()).toContain("from 'duckfeat/definitions'");
    const { file: _a, dir: _b, root: _c, ...leanObjects } = lean;
    const { file: _d, dir: _e, root: _f, ...wholeObjects } = whole;
    expect(wholeObjects).toEqual(leanObjects);
    expect(lean.featureViews).toHaveLength(1);
  });

  it('loads a changed file again in the same process', async () => {
    expect((await load(repoSource({ project: 'first' }))).config.project).toBe('first');
    expect((await load(repoSource({ project: 'second' }))).config.project).toBe('second');
  });

  it('collects objects exported in arrays, once each', async () => {
    const repo = await load(repoSource({ extra: 'export const all = [customer, stats, source];' }));
    expect(repo.entities).toHaveLength(1);
    expect(repo.featureViews).toHaveLength(1);
    expect(repo.sources).toHaveLength(1);
    expect(repo.featureViews[0]!.ttlSeconds).toBe(90 * 86400);
  });

  it('refuses a file that exports no objects (apply would delete everything)', async () => {
    const error = await loadError(
      "import { defineConfig } from 'duckfeat';\nexport const config = defineConfig({ project: 'demo' });\n",
    );
    expect(error.message).toContain(
      'Failed to load repository: it exports no entities, sources, feature views or feature services',
    );
  });

  it('says to add "type": "module" when the folder is not under an ES module package.json', async () => {
    const project = makeProject(
      { 'feature_store/feature_store.ts': repoSource(), 'package.json': '{ "private": true }\n' },
      { esm: false },
    );
    cleanups.push(project.cleanup);
    const error = await loadRepository(projectPaths({ root: project.root })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toContain(
      `must load as an ES module: add "type": "module" to the package.json above it (${join(project.root, 'package.json')})`,
    );
  });

  it('names the folder when feature_store.ts is missing', async () => {
    const project = makeProject({});
    cleanups.push(project.cleanup);
    await expect(loadRepository(projectPaths({ root: project.root }))).rejects.toThrow(
      /Failed to load repository: .*feature_store\.ts does not exist/,
    );
  });

  describe('validation errors name the object and the file', () => {
    it('duplicate names', async () => {
      const error = await loadError(
        repoSource({
          extra: `export const again = featureView({ name: 'stats', entities: [customer], source, schema: { x: 'int64' } });`,
        }),
      );
      expect(error.message).toMatch(
        /^Failed to load repository: duplicate feature view name "stats" \(at .*feature_store\.ts\)$/,
      );
      const entities = await loadError(
        repoSource({
          extra: `export const c2 = entity({ name: 'customer', joinKeys: ['cid'], valueType: 'string' });`,
        }),
      );
      expect(entities.message).toContain('duplicate entity name "customer"');
      const features = await loadError(
        repoSource({
          extra: `export const raw = { ...stats, name: 'raw', features: [{ name: 'a', type: 'int64' }, { name: 'a', type: 'float64' }] };`,
        }),
      );
      expect(features.message).toContain('duplicate feature of feature view "raw" name "a"');
    });

    it('a view naming an undeclared entity', async () => {
      const error = await loadError(repoSource({ entities: "[customer, 'store']" }));
      expect(error.message).toMatch(
        /^Failed to define feature view "stats": entity "store" is not declared \(declared: customer\) \(at .*feature_store\.ts\)$/,
      );
    });

    it('invalid names, from the factories and from plain objects', async () => {
      const factory = await loadError(repoSource({ schema: "{ 'total-spend': 'float64' }" }));
      expect(factory.message).toMatch(
        /^Failed to define feature of view "stats": invalid name "total-spend" \(use letters, digits and underscores, not starting with a digit\) \(at .*feature_store\.ts\)$/,
      );
      const plain = await loadError(
        repoSource({ extra: `export const odd = { ...customer, name: 'drop table' };` }),
      );
      expect(plain.message).toContain('Failed to define entity: invalid name "drop table"');
      const project = await loadError(repoSource({ project: 'my-project' }));
      expect(project.message).toContain('Failed to define project: invalid name "my-project"');
    });

    it('a feature named like a join key', async () => {
      const error = await loadError(repoSource({ schema: "{ customer_id: 'int64' }" }));
      expect(error.message).toContain(
        'Failed to define feature view "stats": feature "customer_id" has the name of a join key or timestamp column',
      );
    });

    it('feature services naming unknown views or features', async () => {
      const view = await loadError(
        repoSource({
          extra: `export const svc = featureService({ name: 'svc', features: ['nope:x'] });`,
        }),
      );
      expect(view.message).toContain(
        'Failed to define feature service "svc": feature view "nope" is not declared (declared: stats)',
      );
      const feature = await loadError(
        repoSource({
          extra: `export const svc = featureService({ name: 'svc', features: ['stats:refunds'] });`,
        }),
      );
      expect(feature.message).toContain(
        'Failed to define feature service "svc": feature view "stats" has no feature "refunds" (it has: n_orders, spend)',
      );
      const malformed = await loadError(
        repoSource({
          extra: `export const svc = featureService({ name: 'svc', features: ['stats'] });`,
        }),
      );
      expect(malformed.message).toContain('reference "stats" is not "view:feature" or "view:*"');
    });

    it('a bad ttl or type', async () => {
      const ttl = await loadError(
        repoSource({ extra: `export const other = { ...stats, name: 'other', ttlSeconds: -5 };` }),
      );
      expect(ttl.message).toContain('Failed to parse ttl of feature view "other": -5');
      const type = await loadError(repoSource({ schema: "{ n: 'decimal' }" }));
      expect(type.message).toContain('unknown type "decimal"');
    });

    it('a syntax or runtime error in the file', async () => {
      const error = await loadError(`throw new Error('boom');\n`);
      expect(error.message).toMatch(/^Failed to load repository: boom \(at /);
    });
  });
});
