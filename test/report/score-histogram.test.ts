import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { scoreHistogram } from '../../src/report/score-histogram.js';

describe('scoreHistogram', () => {
  it('bins a hand-made example', () => {
    const hist = scoreHistogram([0, 0.1, 0.25, 0.5, 0.74, 0.75, 1], [0, 1, 0, 1, 1, 0, 1], {
      bins: 4,
    });
    expect(hist.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // [0,.25): 0(neg) .1(pos) · [.25,.5): .25(neg) · [.5,.75): .5(pos) .74(pos) · [.75,1]: .75(neg) 1(pos)
    expect(hist.negative).toEqual([1, 1, 0, 1]);
    expect(hist.positive).toEqual([1, 0, 2, 1]);
  });

  it('puts every score in the bin whose edges hold it, per class', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 40 }),
        (rows, bins) => {
          const scores = rows.map(([s]) => s);
          const labels = rows.map(([, l]) => (l ? 1 : 0));
          const hist = scoreHistogram(scores, labels, { bins });
          expect(hist.edges).toHaveLength(bins + 1);
          expect(hist.edges[0]).toBe(0);
          expect(hist.edges[bins]).toBe(1);
          // Reference: scan the edges for each score (no arithmetic on the bin index).
          const negative = new Array(bins).fill(0);
          const positive = new Array(bins).fill(0);
          rows.forEach(([score, label]) => {
            let bin = 0;
            while (bin < bins - 1 && score >= hist.edges[bin + 1]!) bin++;
            (label ? positive : negative)[bin]++;
          });
          expect(hist.negative).toEqual(negative);
          expect(hist.positive).toEqual(positive);
        },
      ),
    );
  });

  it('clamps scores outside the range into the end bins and skips NaN', () => {
    const hist = scoreHistogram([-0.5, 1.5, Number.NaN], [1, 0, 1], { bins: 2 });
    expect(hist.positive).toEqual([1, 0]);
    expect(hist.negative).toEqual([0, 1]);
  });

  it('rejects mismatched lengths and bad bin counts', () => {
    expect(() => scoreHistogram([0.1], [])).toThrow(InputError);
    expect(() => scoreHistogram([0.1], [1], { bins: 0 })).toThrow(/bins must be a positive/);
    expect(() => scoreHistogram([0.1], [1], { range: [1, 1] })).toThrow(/empty range/);
  });

  it('accepts typed arrays', () => {
    const hist = scoreHistogram(new Float64Array([0.2, 0.9]), new Uint8Array([0, 1]), {
      bins: 2,
    });
    expect(hist).toEqual({ edges: [0, 0.5, 1], negative: [1, 0], positive: [0, 1] });
  });
});
