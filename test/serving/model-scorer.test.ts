import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelScorer, topContributions } from '../../src/serving/model-scorer.js';
import { trainGBDT } from '../../src/training/gbdt.js';
import type { Model } from '../../src/training/model.js';
import { saveModel } from '../../src/training/model-file.js';
import { syntheticData } from '../training/fixtures.js';

describe('ModelScorer', () => {
  let dir: string;
  let small: Model;
  let large: Model;
  const data = syntheticData(600, 3);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duckfeat-scorer-'));
    const base = { features: data.features, featureNames: data.featureNames, label: data.label };
    small = await trainGBDT({ ...base, params: { num_iterations: 3 } });
    large = await trainGBDT({ ...base, params: { num_iterations: 12 } });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads the file, reports unchanged, reloads a new version, keeps the model on a bad file', async () => {
    const path = join(dir, 'model.txt');
    const scorer = new ModelScorer(path);
    expect(await scorer.check()).toBe('failed');
    expect(scorer.current).toBeUndefined();
    expect(scorer.lastError).toContain('duckfeat train');

    await saveModel(small, path);
    expect(await scorer.check()).toBe('loaded');
    expect(scorer.current!.model.trees).toHaveLength(3);
    expect(await scorer.check()).toBe('unchanged');

    await saveModel(large, path);
    expect(await scorer.check()).toBe('loaded');
    expect(scorer.current!.model.trees).toHaveLength(12);
    expect(Array.from(scorer.current!.model.predictProba(data.features))).toEqual(
      Array.from(large.predictProba(data.features)),
    );

    await writeFile(path, 'not a model\n');
    expect(await scorer.check()).toBe('failed');
    expect(await scorer.check()).toBe('unchanged'); // reported once per file version
    expect(scorer.current!.model.trees).toHaveLength(12);
    expect(scorer.lastError).toContain('cannot be loaded');
  });

  it('topContributions: the k largest |SHAP| per row, with the bias; all of them sum to the raw score', () => {
    const rows = large.predictContrib(data.features.map((c) => c.slice(0, 20)));
    const raw = large.predictRaw(data.features.map((c) => c.slice(0, 20)));
    const all = topContributions(rows, data.featureNames, data.featureNames.length);
    const top2 = topContributions(rows, data.featureNames, 2);
    for (let r = 0; r < rows.length; r++) {
      const sum = all[r]!.top.reduce((s, c) => s + c.value, all[r]!.bias);
      expect(sum).toBeCloseTo(raw[r]!, 10);
      expect(top2[r]!.top).toEqual(all[r]!.top.slice(0, 2));
      const sizes = all[r]!.top.map((c) => Math.abs(c.value));
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      const phi = rows[r]!;
      for (const { feature, value } of all[r]!.top) {
        expect(value).toBe(phi[data.featureNames.indexOf(feature)]);
      }
    }
  });
});
