import { describe, expect, it } from 'vitest';
import {
  brierScore,
  calibrationTable,
  classificationReport,
  confusionMatrix,
  evaluateBinary,
  f1,
  logLoss,
  prAuc,
  prCurve,
  precision,
  recall,
  rocAuc,
  rocCurve,
} from '../../src/training/index.js';

describe('ranking metrics', () => {
  it('ROC-AUC counts tied pairs as one half', () => {
    // Pairs (pos, neg): scores pos {0.8, 0.5}, neg {0.5, 0.2, 0.1}.
    // 0.8 beats all 3; 0.5 ties one (½) and beats 2 → (3 + 2.5) / 6.
    expect(rocAuc([0.8, 0.5, 0.5, 0.2, 0.1], [1, 1, 0, 0, 0])).toBeCloseTo(5.5 / 6, 15);
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([0.3, 0.3, 0.3], [1, 0, 1])).toBe(0.5);
    expect(rocAuc([0.2, 0.9], [1, 1])).toBe(1); // one class: 1, as LightGBM
  });

  it('average precision is step-wise with ties grouped', () => {
    // Descending: 0.9 (1), 0.8 (0), 0.7 (1), 0.7 (0), 0.1 (1); P = 3.
    // Thresholds: 0.9 → R 1/3, P 1; 0.8 → R 1/3; 0.7 → R 2/3, P 2/4; 0.1 → R 1, P 3/5.
    const ap = (1 / 3) * 1 + (1 / 3) * (2 / 4) + (1 / 3) * (3 / 5);
    expect(prAuc([0.9, 0.8, 0.7, 0.7, 0.1], [1, 0, 1, 0, 1])).toBeCloseTo(ap, 15);
  });

  it('curves run from the strictest threshold to the loosest and are downsampled', () => {
    const roc = rocCurve([0.9, 0.8, 0.7, 0.7, 0.1], [1, 0, 1, 0, 1]);
    expect(roc.fpr).toEqual([0, 0, 0.5, 1, 1]);
    expect(roc.tpr).toEqual([0, 1 / 3, 1 / 3, 2 / 3, 1]);
    expect(roc.thresholds.slice(1)).toEqual([0.9, 0.8, 0.7, 0.1]);
    const pr = prCurve([0.9, 0.8, 0.7, 0.7, 0.1], [1, 0, 1, 0, 1]);
    expect(pr.precision).toEqual([1, 1, 0.5, 0.5, 0.6]);
    expect(pr.recall).toEqual([0, 1 / 3, 1 / 3, 2 / 3, 1]);
    const n = 5000;
    const scores = Array.from({ length: n }, (_, i) => i / n);
    const labels = scores.map((_, i) => (i % 3 === 0 ? 1 : 0));
    const big = rocCurve(scores, labels);
    expect(big.fpr.length).toBe(500);
    expect([big.fpr[0], big.tpr[0], big.fpr.at(-1), big.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
  });
});

describe('probability and threshold metrics', () => {
  const p = [0.9, 0.6, 0.4, 0.2, 0.5];
  const y = [1, 0, 1, 0, 0];

  it('log loss and Brier score', () => {
    const ll = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.8) + Math.log(0.5)) / 5;
    expect(logLoss(p, y)).toBeCloseTo(ll, 15);
    // Clipped to [1e-15, 1 − 1e-15] (as LightGBM and scikit-learn): finite.
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(
      -(Math.log(1 - (1 - 1e-15)) + Math.log(1e-15)) / 2,
      10,
    );
    expect(brierScore(p, y)).toBeCloseTo((0.01 + 0.36 + 0.36 + 0.04 + 0.25) / 5, 15);
  });

  it('confusion matrix, precision, recall, F1 at > 0.5', () => {
    // Predicted positive: 0.9, 0.6 (0.5 is not > 0.5).
    expect(confusionMatrix(p, y)).toEqual({ tn: 2, fp: 1, fn: 1, tp: 1 });
    expect(precision(p, y)).toBe(0.5);
    expect(recall(p, y)).toBe(0.5);
    expect(f1(p, y)).toBe(0.5);
    expect(precision([0, 0], [1, 0])).toBe(0);
  });

  it('calibration table over equal-width bins, empty bins left out', () => {
    const table = calibrationTable([0.05, 0.08, 0.55, 0.95, 1], [0, 1, 1, 1, 0], 10);
    expect(table).toEqual([
      { bin: 0, meanPredicted: 0.065, fractionPositive: 0.5, count: 2 },
      { bin: 5, meanPredicted: 0.55, fractionPositive: 1, count: 1 },
      { bin: 9, meanPredicted: 0.975, fractionPositive: 0.5, count: 2 },
    ]);
  });

  it('classification report laid out like scikit-learn', () => {
    // Class 0: tp 2 of predicted 3, support 3 → P .67 R .67; class 1: P .5 R .5, support 2.
    const report = classificationReport([0, 1, 0, 0, 1], [0, 0, 0, 1, 1]);
    expect(report).toBe(
      [
        '              precision    recall  f1-score   support',
        '',
        '           0       0.67      0.67      0.67         3',
        '           1       0.50      0.50      0.50         2',
        '',
        '    accuracy                           0.60         5',
        '   macro avg       0.58      0.58      0.58         5',
        'weighted avg       0.60      0.60      0.60         5',
        '',
      ].join('\n'),
    );
  });

  it('evaluateBinary gathers everything and is JSON-able', () => {
    const e = evaluateBinary(p, y);
    expect(e.rocAuc).toBe(rocAuc(p, y));
    expect(e.confusionMatrix).toEqual({ tn: 2, fp: 1, fn: 1, tp: 1 });
    expect(e.positiveRate).toBe(0.4);
    expect(() => JSON.stringify(e)).not.toThrow();
  });
});

describe('ranking metrics against a brute-force reference', () => {
  it('ROC-AUC equals the pairwise definition on random scores with many ties', () => {
    let s = 5;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + trial;
      const scores = Array.from({ length: n }, () => Math.floor(rnd() * 8) / 8);
      const labels = scores.map((x) => (rnd() < 0.3 + x / 2 ? 1 : 0));
      let wins = 0;
      let pairs = 0;
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          if (labels[a] === 1 && labels[b] === 0) {
            pairs++;
            wins += scores[a]! > scores[b]! ? 1 : scores[a] === scores[b] ? 0.5 : 0;
          }
        }
      }
      expect(rocAuc(scores, labels)).toBeCloseTo(wins / pairs, 12);
    }
    expect(() => rocAuc([Number.NaN, 1], [0, 1])).toThrow(/NaN/);
  });
});
