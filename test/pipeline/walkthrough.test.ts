// The README walkthrough ("Walkthrough: add a feature view"), step by step, on the real data:
// the same SQL file and TypeScript snippet the README shows (examples/walkthrough/).
import { existsSync, statSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckfeat, PROJECT, projectCopy, REAL_DATA, type RunResult } from './project-copy.js';

const VIEW = 'customer_activity_features';
const NEW_FEATURES = ['orders_7d', 'orders_30d', 'orders_60d', 'months_active_365d'];
const SERVICE_BEFORE = 'features: [customerRfmFeatures, customerBehaviorFeatures]';
const SERVICE_AFTER =
  'features: [customerRfmFeatures, customerBehaviorFeatures, customerActivityFeatures]';

const log = (r: RunResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

/** The test ROC-AUC `duckfeat train` prints. */
function printedTestAuc(stdout: string): number {
  const match = /^test \(cutoff [^)]+\): ROC-AUC (\d\.\d{4})/m.exec(stdout);
  if (!match) throw new Error(`no test AUC in:\n${stdout}`);
  return Number(match[1]);
}

/** The walkthrough's feature_store.ts edit: the snippet above the service, added to it. */
function addActivityView(featureStore: string, snippet: string): string {
  const declarations = snippet.slice(snippet.indexOf('export const'));
  const anchor = 'export const purchaseModelFeatures';
  if (!featureStore.includes(anchor) || !featureStore.includes(SERVICE_BEFORE)) {
    throw new Error('feature_store.ts no longer has the service the walkthrough edits');
  }
  return featureStore
    .replace(anchor, `${declarations}\n${anchor}`)
    .replace(SERVICE_BEFORE, SERVICE_AFTER);
}

describe.skipIf(!existsSync(REAL_DATA))('README walkthrough: add a feature view', () => {
  let project: Awaited<ReturnType<typeof projectCopy>>;
  let root: string;
  let baselineAuc: number;
  const cli = (args: string[]) => duckfeat(root, args);

  beforeAll(async () => {
    project = await projectCopy();
    root = project.root;
    // The state the quick start leaves: features, registry and a model on the seed features.
    for (const args of [['prep', '--input', REAL_DATA], ['apply'], ['train']]) {
      const r = await cli(args);
      if (r.code !== 0) throw new Error(`duckfeat ${args[0]} failed: ${log(r)}`);
      if (args[0] === 'train') baselineAuc = printedTestAuc(r.stdout);
    }
  }, 300_000);
  afterAll(() => project?.dispose());

  it('1. the SQL file and the view are added (the loader accepts them)', async () => {
    await copyFile(
      join(PROJECT, 'examples', 'walkthrough', `${VIEW}.sql`),
      join(root, 'sql', 'features', `${VIEW}.sql`),
    );
    const file = join(root, 'feature_store', 'feature_store.ts');
    const snippet = await readFile(join(PROJECT, 'examples', 'walkthrough', `${VIEW}.ts`), 'utf8');
    await writeFile(file, addActivityView(await readFile(file, 'utf8'), snippet));
    expect(await readFile(file, 'utf8')).toContain(SERVICE_AFTER);
  });

  it('2. prep computes only the new view and reuses the others', async () => {
    const seedOutput = join(root, 'feature_store', 'data', 'customer_rfm_features.parquet');
    const before = statSync(seedOutput).mtimeMs;
    const r = await cli(['prep', '--input', REAL_DATA]);
    expect(r.code, log(r)).toBe(0);
    expect(r.stdout).toContain('36 tasks: 9 computed');
    expect(r.stdout).toContain('27 reused');
    // Every task that ran is one of the new view's (progress lines name view @ cutoff).
    const ran = [...r.stderr.matchAll(/\[\d+\/36\] (\w+) @/g)].map((m) => m[1]);
    expect(ran).toHaveLength(9);
    expect(new Set(ran)).toEqual(new Set([VIEW]));
    expect(existsSync(join(root, 'feature_store', 'data', `${VIEW}.parquet`))).toBe(true);
    // An output whose partitions were all reused is left as it was.
    expect(statSync(seedOutput).mtimeMs).toBe(before);
  });

  it('3. plan and apply show the diff: a new view and source, the service changed', async () => {
    const plan = await cli(['plan']);
    expect(plan.code, log(plan)).toBe(0);
    for (const out of [plan.stdout, (await cli(['apply'])).stdout]) {
      expect(out).toContain(`+ data source ${VIEW}`);
      expect(out).toContain(`+ feature view ${VIEW}`);
      expect(out).toContain('~ feature service purchase_model_features');
      expect(out).toContain(`"${VIEW}:*"]`);
      expect(out).toContain('2 to add, 1 to change, 0 to delete.');
    }
    expect((await cli(['plan'])).stdout).toContain('No changes.');
  });

  it('4. sql shows the new ASOF join', async () => {
    const r = await cli([
      'sql',
      '--entity',
      'feature_store/data/purchase_labels.parquet',
      '--features',
      'purchase_model_features',
    ]);
    expect(r.code, log(r)).toBe(0);
    expect(r.stdout).toContain(`ASOF LEFT JOIN "fv_${VIEW}" AS v3`);
    for (const feature of NEW_FEATURES) expect(r.stdout).toContain(`AS "${feature}"`);
    const compiled = join(root, 'target', 'compiled', 'purchase_model_features.sql');
    expect(await readFile(compiled, 'utf8')).toBe(r.stdout);
  });

  it('5. train uses the new features and prints a higher test AUC', async () => {
    const r = await cli(['train']);
    expect(r.code, log(r)).toBe(0);
    const features = /^features: (.*)$/m.exec(r.stdout)?.[1]?.split(', ') ?? [];
    expect(features).toEqual(expect.arrayContaining(NEW_FEATURES));
    expect(features).toHaveLength(13);
    const auc = printedTestAuc(r.stdout);
    const metrics = JSON.parse(await readFile(join(root, 'models', 'metrics.json'), 'utf8')) as {
      metrics: { split: string; rocAuc: number }[];
    };
    expect(metrics.metrics.find((m) => m.split === 'test')!.rocAuc.toFixed(4)).toBe(auc.toFixed(4));
    expect(baselineAuc).toBeGreaterThanOrEqual(0.724);
    expect(auc).toBeGreaterThan(baselineAuc);
  });
});
