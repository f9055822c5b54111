import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retrieveMatrix } from '../../src/pipeline/training-set.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { createFixture, type Fixture } from '../retrieval/fixtures.js';

let fixture: Fixture;
let store: FeatureStore;
beforeAll(async () => {
  fixture = await createFixture();
  store = await FeatureStore.open({ source: fixture.source, paths: fixture.paths });
});
afterAll(async () => {
  await store?.close();
  fixture?.cleanup();
});

describe('retrieveMatrix', () => {
  it('takes the timestamps from the column retrieval joined on, whatever its name', async () => {
    const cutoffs = [new Date('2021-01-15T00:00:00Z'), new Date('2021-02-09T00:00:00Z')];
    const matrix = await retrieveMatrix(
      store,
      { columns: { customer_id: [2, 1], cutoff: cutoffs } },
      'rfm:recency_days',
    );
    expect([...matrix.timestamps]).toEqual(cutoffs.map((d) => d.getTime()));
    // The rfm fixture: customer 2 at 01-15 → 4 (the tie's smaller value); customer 1 → 21.
    expect([...matrix.features[0]!]).toEqual([4, 21]);
  });

  it('refuses entity rows without a timestamp, naming the column', async () => {
    await expect(
      retrieveMatrix(
        store,
        { columns: { customer_id: [1, 2], cutoff: [new Date('2021-01-15T00:00:00Z'), null] } },
        'rfm:recency_days',
      ),
    ).rejects.toThrow('Failed to build the feature matrix: 1 entity row(s) have no cutoff');
  });
});
