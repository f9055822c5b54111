import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { createServer } from '../../src/serving/create-server.js';
import { duckfeat, pipeline, projectCopy, REAL_DATA, type RunResult } from './project-copy.js';

/** Every file the pipeline leaves behind, relative to the project root. */
const OUTPUTS = [
  'feature_store/data/customer_rfm_features.parquet',
  'feature_store/data/customer_behavior_features.parquet',
  'feature_store/data/purchase_labels.parquet',
  'models/purchase_model.txt',
  'models/metrics.json',
  'models/report.html',
  'models/predictions.parquet',
];

interface Metrics {
  metrics: { split: string; rocAuc: number; rows: number }[];
  dataSummary: { cutoff: string; rows: number; purchaseRate: number }[];
}

async function readMetrics(root: string): Promise<Metrics> {
  return JSON.parse(await readFile(join(root, 'models', 'metrics.json'), 'utf8')) as Metrics;
}

function expectOutputs(root: string): void {
  for (const file of OUTPUTS) expect(existsSync(join(root, file)), file).toBe(true);
  const compiled = readdirSync(join(root, 'target', 'compiled')).filter((f) => f.endsWith('.sql'));
  expect(compiled).toEqual(expect.arrayContaining(['training_set.sql', 'prediction_set.sql']));
}

/** The output of a failed run, to show in the assertion message. */
const log = (r: RunResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

describe('npx zx scripts/all.mjs, from a fresh project', () => {
  describe('with no input: the synthetic data', () => {
    let project: Awaited<ReturnType<typeof projectCopy>>;
    let result: RunResult;
    beforeAll(async () => {
      project = await projectCopy();
      result = await pipeline(project.root, []);
    }, 300_000);
    afterAll(() => project?.dispose());

    it('runs every step to the end and says it used the synthetic data', () => {
      expect(result.code, log(result)).toBe(0);
      expect(result.stdout).toContain('using built-in synthetic retail data');
      for (const step of ['synth', 'ingest', 'prep', 'apply', 'train', 'predict', 'materialize']) {
        expect(result.stdout).toContain(`▶ ${step}\n`);
      }
      expect(result.stdout).toContain('Pipeline finished');
      expect(result.stdout).toContain('npx duckfeat serve');
      expect(result.stdout).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:6566\/predict/);
      expect(existsSync(join(project.root, 'data/input/synthetic_retail.parquet'))).toBe(true);
    });

    it('writes every output, and the summary agrees with metrics.json', async () => {
      expectOutputs(project.root);
      const metrics = await readMetrics(project.root);
      const rows = metrics.dataSummary.reduce((sum, c) => sum + c.rows, 0);
      expect(result.stdout).toContain(
        `label rows    ${rows.toLocaleString('en-US')} over ${metrics.dataSummary.length} cutoffs`,
      );
      const test = metrics.metrics.find((m) => m.split === 'test')!;
      expect(result.stdout).toContain(`test AUC      ${test.rocAuc.toFixed(4)}`);
      // The synthetic customers differ in purchase rate, so the features carry signal.
      expect(test.rocAuc).toBeGreaterThan(0.6);
    });

    // Last: it retrains the model with other parameters.
    it('train --params with a LightGBM alias reports the parameter it trained with', async () => {
      const r = await duckfeat(project.root, ['train', '--params', '{"num_trees":3}', '--json']);
      expect(r.code, log(r)).toBe(0);
      const { params } = JSON.parse(r.stdout) as { params: Record<string, unknown> };
      expect(params['num_iterations']).toBe(3);
      expect(params).not.toHaveProperty('num_trees');
      const model = await readFile(join(project.root, 'models', 'purchase_model.txt'), 'utf8');
      expect(model.match(/^Tree=\d+$/gm)).toHaveLength(3);
      const saved = JSON.parse(
        await readFile(join(project.root, 'models', 'metrics.json'), 'utf8'),
      );
      expect(saved.params.num_iterations).toBe(3);
      expect(saved.params).not.toHaveProperty('num_trees');
    });
  });

  describe.skipIf(!existsSync(REAL_DATA))('with --input the shared UCI data', () => {
    let project: Awaited<ReturnType<typeof projectCopy>>;
    let result: RunResult;
    beforeAll(async () => {
      project = await projectCopy();
      result = await pipeline(project.root, ['--input', REAL_DATA]);
    }, 300_000);
    afterAll(() => project?.dispose());

    it('runs every step without synthesizing anything', () => {
      expect(result.code, log(result)).toBe(0);
      expect(result.stdout).not.toContain('synthetic');
      expect(result.stdout).not.toContain('▶ synth');
      expect(result.stdout).toContain('Pipeline finished');
    });

    it('writes every output: 17,724 label rows over 9 cutoffs, test AUC ≥ 0.724', async () => {
      expectOutputs(project.root);
      const metrics = await readMetrics(project.root);
      expect(metrics.dataSummary).toHaveLength(9);
      expect(metrics.dataSummary.reduce((sum, c) => sum + c.rows, 0)).toBe(17_724);
      const test = metrics.metrics.find((m) => m.split === 'test')!;
      expect(test.rocAuc).toBeGreaterThanOrEqual(0.724);
      expect(result.stdout).toContain('label rows    17,724 over 9 cutoffs');
    });

    it('materializes, and /predict gives every customer the probability of predictions.parquet', async () => {
      expect(result.stdout).toContain('▶ materialize\n');
      const curl = /-d '(\{"entities":\{"customer_id":\[(\d+)\]\},"top_k":3\})'/.exec(
        result.stdout,
      );
      expect(curl, result.stdout).not.toBeNull();
      const expected = await withConnection(
        async (c) =>
          (
            await c.runAndReadAll(
              'SELECT customer_id::DOUBLE, purchase_probability FROM read_parquet($p) ORDER BY customer_id',
              { p: join(project.root, 'models', 'predictions.parquet') },
            )
          ).getRowsJS() as [number, number][],
      );
      expect(expected).toHaveLength(2_417);
      const server = await createServer({
        paths: projectPaths({ root: project.root }),
        log: () => {},
      });
      try {
        let worst = 0;
        for (let start = 0; start < expected.length; start += 500) {
          const batch = expected.slice(start, start + 500);
          const r = await server.app.inject({
            method: 'POST',
            url: '/predict',
            headers: { 'content-type': 'application/json' },
            payload: { entities: { customer_id: batch.map(([id]) => id) } },
          });
          expect(r.statusCode, r.body).toBe(200);
          const { probabilities } = r.json() as { probabilities: number[] };
          batch.forEach(([, p], i) => {
            worst = Math.max(worst, Math.abs(probabilities[i]! - p));
          });
        }
        expect(worst).toBeLessThanOrEqual(1e-12);
        // The printed example request works as printed.
        const example = await server.app.inject({
          method: 'POST',
          url: '/predict',
          headers: { 'content-type': 'application/json' },
          payload: curl![1]!,
        });
        expect(example.statusCode).toBe(200);
        expect(example.json().contributions[0].top).toHaveLength(3);
      } finally {
        await server.close();
      }
    });

    it('refuses a bad --input, naming the failing step, and exits non-zero', async () => {
      const bad = join(project.root, 'no-such-file.parquet');
      const failed = await pipeline(project.root, ['--input', bad]);
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toContain('step "ingest" failed');
      expect(failed.stderr).toContain('no-such-file.parquet');
      expect(failed.stdout).not.toContain('Pipeline finished');
    });
  });
});

describe('train and predict before their inputs exist', () => {
  let project: Awaited<ReturnType<typeof projectCopy>>;
  beforeAll(async () => {
    project = await projectCopy();
  });
  afterAll(() => project?.dispose());

  it('train refuses without the label spine and says to run `duckfeat prep`', async () => {
    const r = await duckfeat(project.root, ['train']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('feature_store/data/purchase_labels.parquet does not exist');
    expect(r.stderr).toContain('run `duckfeat prep` first');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(project.root, 'models'))).toBe(false);
  });

  it('predict refuses without a model and says to run `duckfeat train`', async () => {
    const r = await duckfeat(project.root, ['predict']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run `duckfeat prep` first');
    // With a label spine present (only its existence is checked before the model's), the
    // missing model is named next.
    await mkdir(join(project.root, 'feature_store', 'data'), { recursive: true });
    await writeFile(join(project.root, 'feature_store', 'data', 'purchase_labels.parquet'), '');
    const again = await duckfeat(project.root, ['predict']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('models/purchase_model.txt does not exist');
    expect(again.stderr).toContain('run `duckfeat train` first');
  });
});
