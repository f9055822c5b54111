import { describe, expect, it } from 'vitest';
import { findBins } from '../../src/training/binning.js';
import {
  findBestThreshold,
  leafGain,
  leafOutput,
  noSplit,
  type SplitConfig,
  thresholdL1,
} from '../../src/training/split.js';

const config: SplitConfig = {
  lambdaL1: 0,
  lambdaL2: 0,
  maxDeltaStep: 0,
  minDataInLeaf: 1,
  minSumHessianInLeaf: 0,
  minGainToSplit: 0,
};

describe('leaf formulas (LightGBM feature_histogram.hpp)', () => {
  it('leaf output −T(G)/(H+λ2) and gain T(G)²/(H+λ2) with L1 and L2', () => {
    const c = { ...config, lambdaL1: 1, lambdaL2: 2 };
    // G = −5, H = 3: T(G) = −4 → w = 4/5, gain = 16/5.
    expect(thresholdL1(-5, 1)).toBe(-4);
    expect(leafOutput(-5, 3, c)).toBeCloseTo(0.8, 15);
    expect(leafGain(-5, 3, c)).toBeCloseTo(3.2, 15);
    // |G| ≤ λ1: no output, no gain.
    expect(Math.abs(leafOutput(0.5, 3, c))).toBe(0);
    expect(leafGain(0.5, 3, c)).toBe(0);
  });

  it('clips the output to max_delta_step and computes the gain of the clipped output', () => {
    const c = { ...config, maxDeltaStep: 0.5 };
    expect(leafOutput(-10, 4, c)).toBe(0.5);
    // −(2·G·w + H·w²) = −(2·(−10)·0.5 + 4·0.25) = 9
    expect(leafGain(-10, 4, c)).toBeCloseTo(9, 12);
  });
});

describe('findBestThreshold', () => {
  it('finds the hand-computed best split of a 4-bin histogram', () => {
    // Values 1, 2, 3, 4 one row each (bins 1…4 after the zero bin 0), min_data_in_bin 1.
    const mapper = findBins(Float64Array.of(1, 2, 3, 4), {
      maxBin: 255,
      minDataInBin: 1,
      useMissing: true,
      zeroAsMissing: false,
    });
    expect(mapper.numBins).toBe(5);
    const g = [0, -1, -1, 1, 1];
    const h = [0, 0.25, 0.25, 0.25, 0.25];
    const hist = new Float64Array(10);
    for (let b = 0; b < 5; b++) {
      hist[2 * b] = g[b]!;
      hist[2 * b + 1] = h[b]!;
    }
    const out = noSplit();
    expect(findBestThreshold(hist, 0, mapper, 0, 0, 1, 4, config, out)).toBe(true);
    // Left {1,2}: G=−2, H=0.5 → 8; right {3,4}: G=2, H=0.5 → 8; parent G=0 → 0. Gain 16.
    expect(out.thresholdBin).toBe(2);
    expect(out.gain).toBeCloseTo(16, 9);
    expect(out.leftOutput).toBeCloseTo(4, 9);
    expect(out.rightOutput).toBeCloseTo(-4, 9);
    expect([out.leftCount, out.rightCount]).toEqual([2, 2]);
    expect(mapper.upperBounds[out.thresholdBin]).toBe(2.5000000000000004);
  });

  it('respects min_data_in_leaf and sends NaN to the better side', () => {
    const mapper = findBins(Float64Array.of(1, 2, 3, Number.NaN), {
      maxBin: 255,
      minDataInBin: 1,
      useMissing: true,
      zeroAsMissing: false,
    });
    // bins: 0 zero, 1 {1}, 2 {2}, 3 {3}, 4 NaN. NaN rows look like the low values.
    const g = [0, -1, -1, 1, -1];
    const h = [0, 0.25, 0.25, 0.25, 0.25];
    const hist = new Float64Array(10);
    for (let b = 0; b < 5; b++) {
      hist[2 * b] = g[b]!;
      hist[2 * b + 1] = h[b]!;
    }
    const out = noSplit();
    findBestThreshold(hist, 0, mapper, 0, -2, 1, 4, config, out);
    expect(out.thresholdBin).toBe(2);
    expect(out.defaultLeft).toBe(true);
    const strict = noSplit();
    expect(
      findBestThreshold(hist, 0, mapper, 0, -2, 1, 4, { ...config, minDataInLeaf: 3 }, strict),
    ).toBe(false);
    expect(strict.gain).toBe(Number.NEGATIVE_INFINITY);
  });
});
