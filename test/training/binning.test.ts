import { describe, expect, it } from 'vitest';
import {
  findBins,
  MISSING_NAN,
  MISSING_NONE,
  MISSING_ZERO,
  valueToBin,
  ZERO_THRESHOLD,
} from '../../src/training/binning.js';
import { formatG, nextUp } from '../../src/training/number-format.js';

const opts = { maxBin: 255, minDataInBin: 3, useMissing: true, zeroAsMissing: false };

describe('findBins (LightGBM BinMapper)', () => {
  it('cuts few distinct values at nextafter of the midpoints, zero in its own bin', () => {
    // 0 ×3, 1 ×3, 2 ×3, 3 ×1: min_data_in_bin 3 closes a bin after each full value.
    const m = findBins(Float64Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2, 3), opts);
    expect(m.missingType).toBe(MISSING_NONE);
    expect(Array.from(m.upperBounds)).toEqual([
      ZERO_THRESHOLD,
      nextUp(1.5),
      nextUp(2.5),
      Number.POSITIVE_INFINITY,
    ]);
    expect(formatG(m.upperBounds[1]!, 17)).toBe('1.5000000000000002');
    expect([m.min, m.max, m.defaultBin]).toEqual([0, 3, 0]);
    expect([0, 1, 1.5, 1.6, 2, 3, 99].map((v) => valueToBin(m, v))).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });

  it('merges values into a bin until min_data_in_bin is reached', () => {
    const m = findBins(Float64Array.of(1, 2, 3, 4, 5, 6), opts);
    // counts 1,1,1 → cut after 3; then 4,5,6 → the last bin is +∞.
    expect(Array.from(m.upperBounds)).toEqual([
      ZERO_THRESHOLD,
      nextUp(3.5),
      Number.POSITIVE_INFINITY,
    ]);
  });

  it('puts negatives below the zero bin and appends a NaN bin', () => {
    const m = findBins(Float64Array.of(-2, -2, -2, 0, 0, 0, 5, 5, 5, Number.NaN), opts);
    expect(m.missingType).toBe(MISSING_NAN);
    expect(Array.from(m.upperBounds)).toEqual([
      -ZERO_THRESHOLD,
      ZERO_THRESHOLD,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ]);
    expect([-2, 0, 5, Number.NaN].map((v) => valueToBin(m, v))).toEqual([0, 1, 2, 3]);
    expect(m.defaultBin).toBe(1);
  });

  it('treats NaN as zero without use_missing, and zero as missing when asked', () => {
    const values = Float64Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2, Number.NaN);
    const none = findBins(values, { ...opts, useMissing: false });
    expect(none.missingType).toBe(MISSING_NONE);
    expect(valueToBin(none, Number.NaN)).toBe(valueToBin(none, 0));
    const zero = findBins(values, { ...opts, zeroAsMissing: true });
    expect(zero.missingType).toBe(MISSING_ZERO);
  });

  it('marks a constant feature trivial', () => {
    const constant = new Float64Array(50).fill(7);
    expect(findBins(constant, { ...opts, minSplitData: 1 }).isTrivial).toBe(true);
    expect(findBins(Float64Array.of(0, 0, 7, 7), { ...opts, minSplitData: 2 }).isTrivial).toBe(
      false,
    );
    expect(findBins(Float64Array.of(0, 7, 7, 7), { ...opts, minSplitData: 2 }).isTrivial).toBe(
      true,
    );
  });

  it('caps the number of bins at max_bin with equal-frequency cuts', () => {
    const values = Float64Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007);
    const m = findBins(values, { ...opts, maxBin: 16 });
    expect(m.numBins).toBeLessThanOrEqual(16);
    const counts = new Array(m.numBins).fill(0);
    for (const v of values) counts[valueToBin(m, v)]++;
    // Positive values only: bin 0 is the (empty) zero bin, the rest roughly equal.
    for (const c of counts.slice(1)) expect(c).toBeGreaterThan(10_000 / 16 / 2);
  });
});

describe('formatG', () => {
  it('writes like C printf %.17g and %g', () => {
    expect(formatG(0.1, 17)).toBe('0.10000000000000001');
    expect(formatG(-5.927873e-5, 6)).toBe('-5.92787e-05');
    expect(formatG(124.2, 6)).toBe('124.2');
    expect(formatG(1234567, 6)).toBe('1.23457e+06');
    expect(formatG(1, 6)).toBe('1');
    expect(formatG(Math.fround(1e-35), 17)).toBe('1.0000000180025095e-35');
    expect(formatG(Number.POSITIVE_INFINITY, 17)).toBe('inf');
  });
});
