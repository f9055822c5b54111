import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '../../src/duckdb/connection.js';
import { loadModel } from '../../src/training/model-file.js';
import { trainOnParquet } from '../../src/training/train-parquet.js';

const dir = mkdtempSync(join(tmpdir(), 'duckfeat-train-parquet-'));
const train = join(dir, 'train.parquet');
const valid = join(dir, 'valid.parquet');

beforeAll(async () => {
  // Columns in this order: a number, a string (not a feature), the label, a nullable number.
  const table = (from: number, to: number) => `
    SELECT (i % 17)::INTEGER AS visits, 'c' || i AS name,
           CASE WHEN (i % 17) + (hash(i) % 7) > 10 THEN 1 ELSE 0 END AS y,
           CASE WHEN i % 5 = 0 THEN NULL ELSE (hash(i, 1) % 100)::DOUBLE END AS noise
    FROM range(${from}, ${to}) r(i)`;
  await withConnection(async (c) => {
    await c.run(`COPY (${table(0, 3000)}) TO '${train}' (FORMAT parquet)`);
    await c.run(`COPY (${table(3000, 4000)}) TO '${valid}' (FORMAT parquet)`);
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainOnParquet / duckfeat train --data', () => {
  it('uses every other numeric column as a feature, in file order, NULL as missing', async () => {
    const result = await trainOnParquet({
      data: train,
      label: 'y',
      valid,
      params: { num_iterations: 20 },
    });
    expect(result.featureNames).toEqual(['visits', 'noise']);
    expect([result.trainRows, result.validRows]).toEqual([3000, 1000]);
    // visits alone separates most rows: the model must find it.
    expect(result.valid!.rocAuc).toBeGreaterThan(0.8);
    expect(result.model.featureImportance('gain')[0]).toBeGreaterThan(
      result.model.featureImportance('gain')[1]!,
    );
    expect(result.model.header.featureInfos[1]).toMatch(/^\[0:99\]$/);
  });

  it('refuses a missing label column and names the columns', async () => {
    await expect(trainOnParquet({ data: train, label: 'nope' })).rejects.toThrow(
      /no label column 'nope'.*visits, name, y, noise/,
    );
  });

  it('the CLI writes a loadable model and prints metrics as JSON', async () => {
    const out = join(dir, 'model.txt');
    const stdout = execFileSync(
      'node',
      [
        'bin/duckfeat.js',
        'train',
        '--data',
        train,
        '--label',
        'y',
        '--params',
        '{"num_iterations":10}',
        '--out',
        out,
        '--json',
      ],
      { encoding: 'utf8' },
    );
    const report = JSON.parse(stdout);
    expect(report.trees).toBe(10);
    expect(report.train.rocAuc).toBeGreaterThan(0.8);
    const model = await loadModel(out);
    expect(model.featureNames).toEqual(['visits', 'noise']);
    expect(model.trees.length).toBe(10);
  });
});
