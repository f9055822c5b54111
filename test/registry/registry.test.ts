import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import {
  featureService,
  onDemandFeatureView,
  requestSource,
} from '../../src/definitions/factories.js';
import type { FeatureViewDefinition } from '../../src/definitions/types.js';
import { NotFoundError, RegistryError } from '../../src/errors.js';
import { formatPlan } from '../../src/registry/plan.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import type { Repository } from '../../src/repo/repository.js';
import { PROJECT_ROOT } from '../repo/temp-repo.js';
import { backends, freshSchema, type TestRegistry } from './backends.js';

const paths = projectPaths({ root: PROJECT_ROOT });
let example: Repository;
beforeAll(async () => {
  example = await loadRepository(paths);
});

/** The example repository with one view changed by `edit`. */
function withView(
  repo: Repository,
  name: string,
  edit: (view: FeatureViewDefinition) => FeatureViewDefinition,
): Repository {
  return { ...repo, featureViews: repo.featureViews.map((v) => (v.name === name ? edit(v) : v)) };
}

describe.each(backends())('registry on $name', (backend) => {
  const open: TestRegistry[] = [];
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());
  afterEach(async () => {
    for (const t of open.splice(0)) {
      await t.registry.close();
      await t.query(`DROP SCHEMA "${t.schema}" CASCADE`);
    }
  });
  const fresh = async (project = 'retail', schema?: string) => {
    const t = await backend.open(paths, project, schema);
    open.push(t);
    return t;
  };
  const count = async (t: TestRegistry, table: string) =>
    Number((await t.query(`SELECT count(*) AS n FROM "${t.schema}".${table}`))[0]!['n']);

  it('stores on-demand views and views without entities; plan shows an expression change', async () => {
    const t = await fresh();
    const rfm = example.featureViews.find((v) => v.name === 'customer_rfm_features')!;
    const market: FeatureViewDefinition = {
      ...rfm,
      name: 'market',
      entities: [],
      features: [{ name: 'index_level', type: 'float64' }],
    };
    const odv = onDemandFeatureView({
      name: 'spend',
      sources: [rfm, requestSource({ name: 'checkout', schema: { basket: 'float64' } })],
      schema: { share: 'float64', big: 'bool' },
      expressions: { share: 'basket / nullif(monetary, 0)', big: 'basket > 100' },
      description: 'spend of this basket',
    });
    const repo = {
      ...example,
      featureViews: [...example.featureViews, market],
      onDemandFeatureViews: [odv],
    };
    const first = await t.registry.apply(repo);
    expect(first.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toContain(
      'add onDemandFeatureView spend',
    );
    expect((await t.registry.apply(repo)).changes).toEqual([]);
    expect(await t.registry.listOnDemandFeatureViews()).toEqual([odv]);
    expect(await t.registry.describe('spend')).toEqual({ ...odv });
    const { views, onDemandViews } = await t.registry.readDefinitions();
    expect(onDemandViews).toEqual([odv]);
    expect(views.find((v) => v.name === 'market')).toMatchObject({ joinKeys: [] });
    const changed = {
      ...repo,
      onDemandFeatureViews: [
        {
          ...odv,
          features: odv.features.map((f) =>
            f.name === 'big' ? { ...f, expression: 'basket > 50' } : f,
          ),
        },
      ],
    };
    const plan = await t.registry.planApply(changed);
    expect(plan.changes).toEqual([
      {
        action: 'change',
        kind: 'onDemandFeatureView',
        name: 'spend',
        fields: [
          { field: 'features.big.expression', before: 'basket > 100', after: 'basket > 50' },
        ],
      },
    ]);
    expect(formatPlan(plan).join('\n')).toContain('~ on-demand feature view spend');
    await t.registry.apply({ ...repo, onDemandFeatureViews: [] });
    expect(await t.registry.listOnDemandFeatureViews()).toEqual([]);
    expect(await count(t, 'on_demand_features')).toBe(0);
    await t.registry.teardown();
  });

  it('feature services list on-demand views; deleting the view and its service together works', async () => {
    const t = await fresh();
    const rfm = example.featureViews.find((v) => v.name === 'customer_rfm_features')!;
    const odv = onDemandFeatureView({
      name: 'spend',
      sources: [rfm, requestSource({ name: 'checkout', schema: { basket: 'float64' } })],
      schema: { share: 'float64', big: 'bool' },
      expressions: { share: 'basket / nullif(monetary, 0)', big: 'basket > 100' },
    });
    const service = featureService({
      name: 'with_spend',
      features: [rfm, 'spend:share', odv],
    });
    const repo = {
      ...example,
      onDemandFeatureViews: [odv],
      featureServices: [...example.featureServices, service],
    };
    await t.registry.apply(repo);
    expect((await t.registry.apply(repo)).changes).toEqual([]);
    const { services } = await t.registry.readDefinitions();
    expect(services.find((s) => s.name === 'with_spend')!.features).toEqual([
      'customer_rfm_features:*',
      'spend:share',
      'spend:*',
    ]);
    const refs = await t.query(
      `SELECT feature_view_id IS NULL AS odv, on_demand_view_id IS NULL AS fv FROM "${t.schema}".feature_service_refs r JOIN "${t.schema}".feature_services s ON s.id = r.feature_service_id WHERE s.name = 'with_spend' ORDER BY position`,
    );
    expect(refs).toEqual([
      { odv: false, fv: true },
      { odv: true, fv: false },
      { odv: true, fv: false },
    ]);
    // A reference must name exactly one view: the check constraint refuses neither/both.
    const id = (await t.query(`SELECT id FROM "${t.schema}".feature_services LIMIT 1`))[0]!['id'];
    await expect(
      t.query(
        `INSERT INTO "${t.schema}".feature_service_refs (feature_service_id, position) VALUES ($1, 99)`,
        [id],
      ),
    ).rejects.toThrow(/feature_service_refs_one_view/);
    // Changing the service to drop the on-demand view, and removing the view, in one apply.
    const plain = {
      ...example,
      onDemandFeatureViews: [],
      featureServices: example.featureServices,
    };
    await t.registry.apply({
      ...plain,
      featureServices: [
        ...example.featureServices,
        { ...service, features: ['customer_rfm_features:*'] },
      ],
    });
    expect(await t.registry.listOnDemandFeatureViews()).toEqual([]);
    await t.registry.apply(plain);
    expect(await count(t, 'feature_service_refs')).toBe(2);
  });

  it('the service-reference migration upgrades a registry that holds services', async () => {
    const schema = freshSchema();
    const t = await fresh('retail', schema);
    await t.registry.apply(example);
    const before = await t.registry.readDefinitions();
    await t.registry.close();
    // Put the tables back as the previous migrations left them, then open again: the
    // migrator runs the new migration over the existing rows.
    await t.query(
      `ALTER TABLE "${schema}".feature_service_refs DROP CONSTRAINT feature_service_refs_one_view`,
    );
    await t.query(`ALTER TABLE "${schema}".feature_service_refs DROP COLUMN on_demand_view_id`);
    await t.query(
      `ALTER TABLE "${schema}".feature_service_refs ALTER COLUMN feature_view_id SET NOT NULL`,
    );
    await t.query(
      `DELETE FROM "${schema}".kysely_migration WHERE name = '2026-12-02-0003-service-on-demand-refs'`,
    );
    const reopened = await backend.open(paths, 'retail', schema);
    open.splice(open.indexOf(t), 1, reopened);
    const migrated = await reopened.query(
      `SELECT name FROM "${schema}".kysely_migration ORDER BY name`,
    );
    expect(migrated.map((r) => r['name'])).toContain('2026-12-02-0003-service-on-demand-refs');
    expect(await reopened.registry.readDefinitions()).toEqual(before);
    expect((await reopened.registry.apply(example)).changes).toEqual([]);
    const nullable = await reopened.query(
      `SELECT is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'feature_service_refs' AND column_name = 'feature_view_id'`,
      [schema],
    );
    expect(nullable).toEqual([{ is_nullable: 'YES' }]);
  });

  it('apply creates the example objects once; a second apply changes nothing', async () => {
    const t = await fresh();
    const first = await t.registry.apply(example);
    expect(first.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'add entity customer',
      'add dataSource customer_behavior_features',
      'add dataSource customer_rfm_features',
      'add featureView customer_behavior_features',
      'add featureView customer_rfm_features',
      'add featureService purchase_model_features',
    ]);
    const counts = {
      projects: await count(t, 'projects'),
      entities: await count(t, 'entities'),
      data_sources: await count(t, 'data_sources'),
      feature_views: await count(t, 'feature_views'),
      features: await count(t, 'features'),
      feature_services: await count(t, 'feature_services'),
      feature_service_refs: await count(t, 'feature_service_refs'),
      sql_versions: await count(t, 'sql_versions'),
    };
    expect(counts).toEqual({
      projects: 1,
      entities: 1,
      data_sources: 2,
      feature_views: 2,
      features: 9,
      feature_services: 1,
      feature_service_refs: 2,
      sql_versions: 2,
    });
    const second = await t.registry.apply(example);
    expect(second.changes).toEqual([]);
    expect(formatPlan(second)).toContain('No changes.');
    expect(await t.registry.planApply(example)).toMatchObject({ changes: [] });
    expect(await count(t, 'features')).toBe(9);
  });

  it('reads back what was applied', async () => {
    const t = await fresh();
    await t.registry.apply(example);
    const views = await t.registry.listFeatureViews();
    for (const view of example.featureViews) {
      expect(views.find((v) => v.name === view.name)).toEqual(view);
    }
    expect(await t.registry.listEntities()).toEqual(example.entities);
    expect(await t.registry.listFeatureServices()).toEqual(example.featureServices);
    const resolved = await t.registry.resolveFeatureViews();
    expect(resolved.find((v) => v.name === 'customer_rfm_features')).toEqual({
      name: 'customer_rfm_features',
      joinKeys: ['customer_id'],
      features: example.featureViews.find((v) => v.name === 'customer_rfm_features')!.features,
      source: {
        path: `${PROJECT_ROOT}/feature_store/data/customer_rfm_features.parquet`,
        format: 'parquet',
        timestampField: 'event_timestamp',
        createdTimestampColumn: 'created_timestamp',
      },
      ttlSeconds: 0,
    });
    await expect(t.registry.getFeatureView('nope')).rejects.toThrow(NotFoundError);
    await expect(t.registry.getFeatureView('nope')).rejects.toThrow(
      'Failed to find feature view "nope" in project "retail" (registered: customer_behavior_features, customer_rfm_features)',
    );
    const described = await t.registry.describe('customer_rfm_features');
    expect(described).toMatchObject({
      kind: 'featureView',
      joinKeys: ['customer_id'],
      sqlVersion: { path: 'sql/features/customer_rfm_features.sql' },
      materializations: 0,
    });
    expect(JSON.parse(JSON.stringify(described))).toEqual(described);
    expect(await t.registry.describe('customer')).toMatchObject({ kind: 'entity' });
    await expect(t.registry.describe('missing')).rejects.toThrow(/no such object/);
  });

  it('plan shows a changed feature type field by field, and apply brings it in', async () => {
    const t = await fresh();
    await t.registry.apply(example);
    const edited = withView(example, 'customer_rfm_features', (v) => ({
      ...v,
      features: v.features.map((f) => (f.name === 'monetary' ? { ...f, type: 'int64' } : f)),
      ttlSeconds: 3600,
    }));
    const plan = await t.registry.planApply(edited);
    expect(plan.changes).toEqual([
      {
        action: 'change',
        kind: 'featureView',
        name: 'customer_rfm_features',
        fields: [
          { field: 'ttlSeconds', before: 0, after: 3600 },
          { field: 'features.monetary.type', before: 'float64', after: 'int64' },
        ],
      },
    ]);
    expect(formatPlan(plan)).toEqual([
      expect.stringMatching(/^Project "retail" in /),
      '  ~ feature view customer_rfm_features',
      '      ttlSeconds: 0 → 3600',
      '      features.monetary.type: float64 → int64',
      '0 to add, 1 to change, 0 to delete.',
    ]);
    expect(await t.registry.apply(edited)).toEqual(plan);
    expect((await t.registry.getFeatureView('customer_rfm_features')).features[2]).toEqual({
      name: 'monetary',
      type: 'int64',
    });
    expect((await t.registry.planApply(edited)).changes).toEqual([]);
    expect(await count(t, 'features')).toBe(9);
  });

  it('adds, removes and reorders features; deletes what the repository dropped', async () => {
    const t = await fresh();
    await t.registry.apply(example);
    const edited: Repository = {
      ...withView(example, 'customer_behavior_features', (v) => ({
        ...v,
        features: [
          { name: 'return_rate', type: 'float64' },
          { name: 'avg_order_value', type: 'float64' },
          { name: 'n_returns', type: 'int64' },
        ],
      })),
      featureServices: [],
    };
    const plan = await t.registry.planApply(edited);
    expect(plan.changes).toEqual([
      {
        action: 'change',
        kind: 'featureView',
        name: 'customer_behavior_features',
        fields: [
          { field: 'features.n_returns', after: 'int64' },
          { field: 'features.avg_basket_size', before: 'float64' },
          { field: 'features.n_unique_products', before: 'int64' },
          { field: 'features.avg_days_between_purchases', before: 'float64' },
          {
            field: 'features.order',
            before: ['avg_order_value', 'return_rate'],
            after: ['return_rate', 'avg_order_value'],
          },
        ],
      },
      { action: 'delete', kind: 'featureService', name: 'purchase_model_features', fields: [] },
    ]);
    await t.registry.apply(edited);
    expect(await count(t, 'features')).toBe(4 + 3);
    expect(await count(t, 'feature_services')).toBe(0);
    expect(await count(t, 'feature_service_refs')).toBe(0);
    // Dropping a view and its source too, while another view keeps the entity.
    const smaller: Repository = {
      ...edited,
      featureViews: edited.featureViews.filter((v) => v.name === 'customer_rfm_features'),
      sources: edited.sources.filter((s) => s.name === 'customer_rfm_features'),
    };
    expect((await t.registry.apply(smaller)).changes.map((c) => `${c.action} ${c.name}`)).toEqual([
      'delete customer_behavior_features',
      'delete customer_behavior_features',
    ]);
    expect(await count(t, 'features')).toBe(4);
    expect(await count(t, 'data_sources')).toBe(1);
  });

  it('keeps projects apart and tears one down', async () => {
    const t = await fresh('retail');
    await t.registry.apply(example);
    const other = await backend.open(paths, 'other');
    try {
      await expect(other.registry.apply(example)).rejects.toThrow(RegistryError);
      expect(await other.registry.listFeatureViews()).toEqual([]);
    } finally {
      await other.registry.close();
      await other.query(`DROP SCHEMA "${other.schema}" CASCADE`);
    }
    await t.registry.applyMaterializations([
      {
        view: 'customer_rfm_features',
        cutoff: '2011-03-01 08:26:00',
        rows: 1234,
        sqlSha256: 'a'.repeat(64),
        inputFingerprint: 'fp1',
        startedAt: '2024-01-02T03:04:05.600Z',
        finishedAt: '2024-01-02 03:04:06.1',
        durationMs: 500.5,
      },
    ]);
    await t.registry.teardown();
    expect(await count(t, 'projects')).toBe(0);
    expect(await count(t, 'features')).toBe(0);
    expect(await count(t, 'materializations')).toBe(0);
    expect(await t.registry.listFeatureViews()).toEqual([]);
    await t.registry.teardown();
  });

  it('records materializations and lists them by view', async () => {
    const t = await fresh();
    const record = (view: string, cutoff: string, rows: number) => ({
      view,
      cutoff,
      rows,
      sqlSha256: 'b'.repeat(64),
      inputFingerprint: 'input-1',
      startedAt: '2024-01-02 03:04:05',
      finishedAt: '2024-01-02T03:04:05.250Z',
      durationMs: 250,
    });
    // Before any apply: prep runs first in the pipeline.
    await t.registry.applyMaterializations([
      record('customer_rfm_features', '2011-04-01 08:26:00', 20),
      record('customer_rfm_features', '2011-03-01 08:26:00', 10),
      record('customer_behavior_features', '2011-03-01 08:26:00', 11),
    ]);
    const rfm = await t.registry.listMaterializations({ view: 'customer_rfm_features' });
    expect(rfm.map((m) => [m.cutoff, m.rows])).toEqual([
      ['2011-03-01 08:26:00', 10],
      ['2011-04-01 08:26:00', 20],
    ]);
    expect(rfm[0]).toMatchObject({
      sqlSha256: 'b'.repeat(64),
      inputFingerprint: 'input-1',
      startedAt: '2024-01-02 03:04:05',
      finishedAt: '2024-01-02 03:04:05.25',
      durationMs: 250,
    });
    expect(await t.registry.listMaterializations()).toHaveLength(3);
    await t.registry.apply(example);
    expect(await t.registry.describe('customer_rfm_features')).toMatchObject({
      materializations: 2,
      lastMaterialization: { cutoff: '2011-04-01 08:26:00', rows: 20 },
    });
  });

  it('keeps its tables in a mixed-case schema, exactly as named', async () => {
    const t = await fresh('retail', `Mixed_${freshSchema()}`);
    await t.registry.apply(example);
    expect(await count(t, 'entities')).toBe(1);
    expect((await t.registry.apply(example)).changes).toEqual([]);
  });

  it('serializes concurrent applies in one process', async () => {
    const t = await fresh();
    const plans = await Promise.all(Array.from({ length: 4 }, () => t.registry.apply(example)));
    expect(plans.filter((p) => p.changes.length > 0)).toHaveLength(1);
    expect(await count(t, 'entities')).toBe(1);
    expect(await count(t, 'features')).toBe(9);
  });
});
