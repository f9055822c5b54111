import { afterAll, describe, expect, it } from 'vitest';
import { binDataset } from '../../src/training/dataset.js';
import { buildHistogram } from '../../src/training/histogram.js';
import { resolveParams } from '../../src/training/params.js';
import { type PartitionRule, partitionRows } from '../../src/training/partition.js';
import { createWasmHistogramBuilder } from '../../src/training/wasm-histogram-builder.js';
import { syntheticData } from './fixtures.js';

// The WebAssembly kernels against the JavaScript ones they replace: the same doubles.
describe('createWasmHistogramBuilder', async () => {
  const numRows = 5000;
  const { features } = syntheticData(numRows, 3);
  // A wide feature (more than 256 bins: 16-bit bin columns) beside the fixture's five.
  const wide = Float64Array.from({ length: numRows }, (_, i) => (i * 7919) % 1000);
  const data = binDataset([...features, wide], resolveParams({ max_bin: 1000 }));
  const builder = (await createWasmHistogramBuilder(data))!;
  afterAll(() => builder.close());
  const gradients = new Float32Array(numRows);
  const hessians = new Float32Array(numRows);
  for (let r = 0; r < numRows; r++) {
    gradients[r] = Math.fround(Math.sin(r) * 0.7);
    hessians[r] = Math.fround(0.01 + (r % 13) / 60);
  }
  builder.gradients.set(gradients);
  builder.hessians.set(hessians);
  const indices = new Int32Array(numRows);
  for (let r = 0, k = 0; r < numRows; r++) if (r % 3 !== 1) indices[k++] = r;
  builder.indices.set(indices);
  const scratch = { g: new Float32Array(numRows), h: new Float32Array(numRows) };

  it('has 16-bit bins for the wide feature', () => {
    expect(data.bins[5]).toBeInstanceOf(Uint16Array);
    expect(data.rowSlots).not.toBeNull();
  });

  for (const [name, used] of [
    ['every feature', Uint8Array.of(1, 1, 1, 1, 1, 1)],
    ['a subset of the features', Uint8Array.of(0, 1, 0, 1, 1, 0)],
  ] as const) {
    for (const indexed of [false, true]) {
      it(`builds the same histogram as JavaScript: ${name}, ${indexed ? 'indexed' : 'range'}`, async () => {
        const rows = indexed
          ? { start: 100, end: 3000, indices: builder.indices }
          : { start: 17, end: 4321, indices: null };
        const expected = new Float64Array(2 * data.totalBins);
        buildHistogram(
          data,
          gradients,
          hessians,
          { ...rows, indices: indexed ? indices : null },
          used,
          expected,
          scratch,
        );
        const actual = new Float64Array(2 * data.totalBins);
        await builder.build(rows, used, actual);
        expect(Array.from(actual)).toEqual(Array.from(expected));
        expect(expected.some((x) => x !== 0)).toBe(true);
      });
    }
  }

  it('partitions like JavaScript, on 8- and 16-bit bins, with missing values either way', () => {
    for (const rule of [
      { feature: 1, thresholdBin: 3, missingBin: data.mappers[1]!.numBins - 1, defaultLeft: true },
      { feature: 1, thresholdBin: 5, missingBin: data.mappers[1]!.numBins - 1, defaultLeft: false },
      { feature: 5, thresholdBin: 400, missingBin: -1, defaultLeft: false },
    ] satisfies PartitionRule[]) {
      const expected = indices.slice();
      const leftExpected = partitionRows(
        data.bins[rule.feature]!,
        expected,
        new Int32Array(numRows),
        200,
        2500,
        rule,
      );
      builder.indices.set(indices);
      const left = builder.partition(rule, 200, 2500);
      expect(left).toBe(leftExpected);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(2500);
      expect(Array.from(builder.indices)).toEqual(Array.from(expected));
    }
  });

  it('sums row shards built in worker threads to the same histogram (to rounding)', async () => {
    const big = syntheticData(60_000, 5);
    const bigData = binDataset(big.features, resolveParams({}));
    const sharded = (await createWasmHistogramBuilder(bigData, 2))!;
    try {
      for (let r = 0; r < 60_000; r++) {
        sharded.gradients[r] = Math.fround(Math.cos(r) * 0.5);
        sharded.hessians[r] = Math.fround(0.02 + (r % 7) / 40);
        sharded.indices[r] = r;
      }
      const used = Uint8Array.of(1, 1, 0, 1, 1);
      const expected = new Float64Array(2 * bigData.totalBins);
      const rows = { start: 1000, end: 59_000, indices: sharded.indices };
      buildHistogram(bigData, sharded.gradients, sharded.hessians, rows, used, expected, {
        g: new Float32Array(60_000),
        h: new Float32Array(60_000),
      });
      const actual = new Float64Array(2 * bigData.totalBins);
      await sharded.build(rows, used, actual);
      expect(expected.some((x) => x !== 0)).toBe(true);
      for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 9);
    } finally {
      await sharded.close();
    }
  });
});
