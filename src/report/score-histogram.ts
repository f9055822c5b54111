import { InputError } from '../errors.js';
import type { ScoreHistogram } from './report-input.js';

export interface ScoreHistogramOptions {
  /** Number of equal-width bins (default 20). */
  bins?: number;
  /** Range binned (default `[0, 1]`, the range of a probability). Scores outside go to the end bins. */
  range?: [number, number];
}

/**
 * Bin scores per class, so the report's score distribution stays a few numbers in
 * `metrics.json` instead of one entry per row. A label counts as positive when it is > 0; NaN scores are left out.
 *
 * @example
 * const hist = scoreHistogram(testScores, testLabels, { bins: 20 });
 * // hist.edges.length === 21, hist.positive[i] = positives scored in [edges[i], edges[i+1])
 */
export function scoreHistogram(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ScoreHistogramOptions = {},
): ScoreHistogram {
  const bins = options.bins ?? 20;
  const [low, high] = options.range ?? [0, 1];
  if (scores.length !== labels.length) {
    throw new InputError(
      `Failed to bin scores: ${scores.length} scores but ${labels.length} labels`,
    );
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new InputError(`Failed to bin scores: bins must be a positive integer, got ${bins}`);
  }
  if (!(high > low)) {
    throw new InputError(`Failed to bin scores: empty range [${low}, ${high}]`);
  }
  const width = (high - low) / bins;
  // Edges are computed from the index (not by accumulating width) so they are exact at both ends.
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : low + i * width));
  const negative = new Array<number>(bins).fill(0);
  const positive = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i]!;
    if (Number.isNaN(score)) continue;
    let bin = Math.floor((score - low) / width);
    // Float rounding can put a score on the wrong side of an edge; the edges array decides.
    if (bin > 0 && bin < bins && score < edges[bin]!) bin -= 1;
    else if (bin >= 0 && bin < bins - 1 && score >= edges[bin + 1]!) bin += 1;
    bin = Math.min(bins - 1, Math.max(0, bin));
    if (labels[i]! > 0) positive[bin]! += 1;
    else negative[bin]! += 1;
  }
  return { edges, negative, positive };
}
