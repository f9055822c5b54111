import { TrainingError } from '../errors.js';
import { classificationReport } from './report-text.js';

/** Scores (probabilities or raw scores) or 0/1 predictions, one per row. */
type Values = ArrayLike<number>;
/** 0/1 labels (anything > 0 is positive). */
type Labels = ArrayLike<number>;

/** The largest number of points a curve keeps (the ends are always kept). */
export const MAX_CURVE_POINTS = 500;

function check(scores: Values, labels: Labels, what: string): void {
  if (scores.length !== labels.length) {
    throw new TrainingError(
      `Failed to compute ${what}: ${scores.length} scores for ${labels.length} labels`,
    );
  }
}

/** Distinct scores in descending order, with the positives and negatives of each. */
interface ScoreGroups {
  readonly length: number;
  readonly score: Float64Array;
  readonly pos: Float64Array;
  readonly neg: Float64Array;
}

/**
 * Distinct-score groups in descending score order with their positives and negatives.
 * The scores of each class are sorted natively (a typed-array sort, no comparator) and
 * merged: several times faster than sorting row indices at a million rows. Typed arrays,
 * not one object per group: a million rows can have a million distinct scores.
 */
function scoreGroups(scores: Values, labels: Labels): ScoreGroups {
  let numPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 0) numPos++;
  const pos = new Float64Array(numPos);
  const neg = new Float64Array(labels.length - numPos);
  let p = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! > 0) pos[p++] = scores[i]!;
    else neg[n++] = scores[i]!;
  }
  pos.sort();
  neg.sort();
  const score = new Float64Array(labels.length);
  const groupPos = new Float64Array(labels.length);
  const groupNeg = new Float64Array(labels.length);
  let length = 0;
  let i = pos.length - 1;
  let j = neg.length - 1;
  while (i >= 0 || j >= 0) {
    const s = Math.max(
      i >= 0 ? pos[i]! : Number.NEGATIVE_INFINITY,
      j >= 0 ? neg[j]! : Number.NEGATIVE_INFINITY,
    );
    if (Number.isNaN(s)) throw new TrainingError('Failed to compute metrics: a score is NaN');
    let gp = 0;
    let gn = 0;
    while (i >= 0 && pos[i] === s) {
      gp++;
      i--;
    }
    while (j >= 0 && neg[j] === s) {
      gn++;
      j--;
    }
    score[length] = s;
    groupPos[length] = gp;
    groupNeg[length] = gn;
    length++;
  }
  return { length, score, pos: groupPos, neg: groupNeg };
}

/**
 * Area under the ROC curve; tied scores count one half (LightGBM's and scikit-learn's
 * definition). With one class only it is 1, as LightGBM reports it.
 *
 * @example rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) // 0.75
 */
export function rocAuc(scores: Values, labels: Labels): number {
  check(scores, labels, 'ROC-AUC');
  return rocAucOf(scoreGroups(scores, labels));
}

function rocAucOf(g: ScoreGroups): number {
  let positivesBefore = 0;
  let area = 0;
  let neg = 0;
  for (let k = 0; k < g.length; k++) {
    area += g.neg[k]! * (positivesBefore + 0.5 * g.pos[k]!);
    positivesBefore += g.pos[k]!;
    neg += g.neg[k]!;
  }
  const pos = positivesBefore;
  return pos === 0 || neg === 0 ? 1 : area / (pos * neg);
}

/**
 * Average precision (PR-AUC, step-wise, ties grouped): Σ (Rₖ − Rₖ₋₁)·Pₖ over thresholds,
 * as scikit-learn's `average_precision_score`. 0 when there is no positive.
 */
export function prAuc(scores: Values, labels: Labels): number {
  check(scores, labels, 'PR-AUC');
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 0) totalPos++;
  if (totalPos === 0) return 0;
  return prAucOf(scoreGroups(scores, labels), totalPos);
}

function prAucOf(g: ScoreGroups, totalPos: number): number {
  if (totalPos === 0) return 0;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let k = 0; k < g.length; k++) {
    tp += g.pos[k]!;
    fp += g.neg[k]!;
    ap += (g.pos[k]! / totalPos) * (tp / (tp + fp));
  }
  return ap;
}

/** Mean negative log-likelihood; probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(probabilities: Values, labels: Labels): number {
  check(probabilities, labels, 'log loss');
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i]!));
    sum -= labels[i]! > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Mean squared difference between probability and label. */
export function brierScore(probabilities: Values, labels: Labels): number {
  check(probabilities, labels, 'Brier score');
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = probabilities[i]! - (labels[i]! > 0 ? 1 : 0);
    sum += d * d;
  }
  return sum / labels.length;
}

export interface ConfusionMatrix {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
}

/**
 * Counts of predicted × actual; a row is predicted positive when its score is > threshold
 * (0/1 predictions work as they are with the default 0.5).
 */
export function confusionMatrix(scores: Values, labels: Labels, threshold = 0.5): ConfusionMatrix {
  check(scores, labels, 'a confusion matrix');
  const m = { tn: 0, fp: 0, fn: 0, tp: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = scores[i]! > threshold;
    if (labels[i]! > 0) predicted ? m.tp++ : m.fn++;
    else predicted ? m.fp++ : m.tn++;
  }
  return m;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function accuracy(scores: Values, labels: Labels, threshold = 0.5): number {
  const m = confusionMatrix(scores, labels, threshold);
  return ratio(m.tp + m.tn, labels.length);
}

/** tp / (tp + fp); 0 when nothing is predicted positive (scikit-learn's zero_division=0). */
export function precision(scores: Values, labels: Labels, threshold = 0.5): number {
  const m = confusionMatrix(scores, labels, threshold);
  return ratio(m.tp, m.tp + m.fp);
}

export function recall(scores: Values, labels: Labels, threshold = 0.5): number {
  const m = confusionMatrix(scores, labels, threshold);
  return ratio(m.tp, m.tp + m.fn);
}

export function f1(scores: Values, labels: Labels, threshold = 0.5): number {
  const m = confusionMatrix(scores, labels, threshold);
  return ratio(2 * m.tp, 2 * m.tp + m.fp + m.fn);
}

/**
 * The curve points kept of `n`: all when n ≤ `max`, else `max` evenly spread, always the first
 * and the last. Picked before the points are made: a million rows can have a million.
 */
function keptPoints(n: number, max = MAX_CURVE_POINTS): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, j) => Math.round((j * (n - 1)) / (max - 1)));
}

/**
 * ROC curve points from (0, 0) to (1, 1), one per distinct score in descending order
 * (the first threshold is +∞, written as null in JSON); at most {@link MAX_CURVE_POINTS}.
 */
export function rocCurve(scores: Values, labels: Labels) {
  check(scores, labels, 'a ROC curve');
  return rocCurveOf(scoreGroups(scores, labels));
}

function rocCurveOf(g: ScoreGroups) {
  let P = 0;
  let N = 0;
  for (let k = 0; k < g.length; k++) {
    P += g.pos[k]!;
    N += g.neg[k]!;
  }
  const curve = { fpr: [0], tpr: [0], thresholds: [Number.POSITIVE_INFINITY] };
  const keep = keptPoints(g.length + 1);
  let tp = 0;
  let fp = 0;
  for (let k = 0, next = 1; k < g.length; k++) {
    tp += g.pos[k]!;
    fp += g.neg[k]!;
    if (k + 1 !== keep[next]) continue;
    next++;
    curve.fpr.push(ratio(fp, N));
    curve.tpr.push(ratio(tp, P));
    curve.thresholds.push(g.score[k]!);
  }
  return curve;
}

/**
 * Precision–recall points by descending threshold, starting at recall 0, precision 1
 * (threshold +∞); at most {@link MAX_CURVE_POINTS}.
 */
export function prCurve(scores: Values, labels: Labels) {
  check(scores, labels, 'a PR curve');
  return prCurveOf(scoreGroups(scores, labels));
}

function prCurveOf(g: ScoreGroups) {
  let P = 0;
  for (let k = 0; k < g.length; k++) P += g.pos[k]!;
  const curve = { precision: [1], recall: [0], thresholds: [Number.POSITIVE_INFINITY] };
  const keep = keptPoints(g.length + 1);
  let tp = 0;
  let fp = 0;
  for (let k = 0, next = 1; k < g.length; k++) {
    tp += g.pos[k]!;
    fp += g.neg[k]!;
    if (k + 1 !== keep[next]) continue;
    next++;
    curve.precision.push(ratio(tp, tp + fp));
    curve.recall.push(ratio(tp, P));
    curve.thresholds.push(g.score[k]!);
  }
  return curve;
}

export interface CalibrationTableRow {
  /** Bin i covers predicted probabilities [i/bins, (i+1)/bins) (the last includes 1). */
  bin: number;
  meanPredicted: number;
  fractionPositive: number;
  count: number;
}

/** Reliability table over equal-width probability bins; empty bins are left out. */
export function calibrationTable(
  probabilities: Values,
  labels: Labels,
  bins = 10,
): CalibrationTableRow[] {
  check(probabilities, labels, 'a calibration table');
  const sumP = new Float64Array(bins);
  const pos = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    sumP[b]! += p;
    count[b]!++;
    if (labels[i]! > 0) pos[b]!++;
  }
  const out: CalibrationTableRow[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b]! === 0) continue;
    out.push({
      bin: b,
      meanPredicted: sumP[b]! / count[b]!,
      fractionPositive: pos[b]! / count[b]!,
      count: count[b]!,
    });
  }
  return out;
}

/** Every metric above for one set of scores, as one JSON-able object. */
export function evaluateBinary(probabilities: Values, labels: Labels, threshold = 0.5) {
  check(probabilities, labels, 'metrics');
  const m = confusionMatrix(probabilities, labels, threshold);
  const predicted = Array.from(probabilities, (p) => (p > threshold ? 1 : 0));
  const positives = m.tp + m.fn;
  // One sort for the four ranking metrics.
  const groups = scoreGroups(probabilities, labels);
  return {
    rows: labels.length,
    positives,
    positiveRate: ratio(positives, labels.length),
    threshold,
    rocAuc: rocAucOf(groups),
    prAuc: prAucOf(groups, positives),
    logLoss: logLoss(probabilities, labels),
    brierScore: brierScore(probabilities, labels),
    accuracy: ratio(m.tp + m.tn, labels.length),
    precision: ratio(m.tp, m.tp + m.fp),
    recall: ratio(m.tp, m.tp + m.fn),
    f1: ratio(2 * m.tp, 2 * m.tp + m.fp + m.fn),
    confusionMatrix: m,
    rocCurve: rocCurveOf(groups),
    prCurve: prCurveOf(groups),
    calibration: calibrationTable(probabilities, labels),
    classificationReport: classificationReport(predicted, labels),
  };
}

export type BinaryEvaluation = ReturnType<typeof evaluateBinary>;
