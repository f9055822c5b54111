import type { ReportInput, SplitMetrics } from '../../src/report/report-input.js';
import { scoreHistogram } from '../../src/report/score-histogram.js';

/** mulberry32: a small seeded PRNG, so the fixture is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Labels and scores of a plausible classifier: the score is a noisy logistic of the truth. */
export function syntheticScores(n: number, seed: number): { scores: number[]; labels: number[] } {
  const random = seededRandom(seed);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const latent = (random() + random() + random() - 1.5) * 3;
    const label = random() < 1 / (1 + Math.exp(-(latent - 0.4))) ? 1 : 0;
    const noisy = latent + (random() + random() - 1) * 2.2;
    scores.push(1 / (1 + Math.exp(-(noisy - 0.4))));
    labels.push(label);
  }
  return { scores, labels };
}

/** Threshold sweep from the highest score down; ties move together (one point per distinct score). */
function sweep(scores: number[], labels: number[]) {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const positives = labels.reduce((s, l) => s + l, 0);
  const negatives = labels.length - positives;
  const points = [{ tp: 0, fp: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) points.push({ tp, fp });
  }
  return { points, positives, negatives };
}

function trapezoid(xs: number[], ys: number[]): number {
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += ((xs[i]! - xs[i - 1]!) * (ys[i]! + ys[i - 1]!)) / 2;
  return area;
}

function splitMetrics(split: 'train' | 'test', scores: number[], labels: number[]): SplitMetrics {
  const { points, positives, negatives } = sweep(scores, labels);
  const fpr = points.map((p) => p.fp / negatives);
  const tpr = points.map((p) => p.tp / positives);
  const pts = points.slice(1);
  const recall = pts.map((p) => p.tp / positives);
  const precision = pts.map((p) => p.tp / (p.tp + p.fp));
  const confusion = { tn: 0, fp: 0, fn: 0, tp: 0 };
  let logLoss = 0;
  let brier = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, scores[i]!));
    const y = labels[i]!;
    logLoss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
    brier += (scores[i]! - y) ** 2;
    const predicted = scores[i]! >= 0.5 ? 1 : 0;
    if (predicted === 1 && y === 1) confusion.tp++;
    else if (predicted === 1) confusion.fp++;
    else if (y === 1) confusion.fn++;
    else confusion.tn++;
  }
  const n = scores.length;
  const prec = confusion.tp / (confusion.tp + confusion.fp);
  const rec = confusion.tp / (confusion.tp + confusion.fn);
  return {
    split,
    rows: n,
    positiveRate: positives / n,
    rocAuc: trapezoid(fpr, tpr),
    prAuc: trapezoid(recall, precision),
    logLoss: logLoss / n,
    brier: brier / n,
    accuracy: (confusion.tp + confusion.tn) / n,
    precision: prec,
    recall: rec,
    f1: (2 * prec * rec) / (prec + rec),
    confusion,
  };
}

/** A realistic report input built from synthetic scores, with curves computed here. */
export function buildReportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  const train = syntheticScores(6000, 7);
  const test = syntheticScores(2000, 11);
  const { points, positives, negatives } = sweep(test.scores, test.labels);
  const pts = points.slice(1);
  const calibration = Array.from({ length: 10 }, (_, b) => {
    const members = test.scores
      .map((s, i) => ({ s, y: test.labels[i]! }))
      .filter(({ s }) => Math.min(9, Math.floor(s * 10)) === b);
    return {
      meanPredicted: members.reduce((a, m) => a + m.s, 0) / members.length,
      fractionPositive: members.reduce((a, m) => a + m.y, 0) / members.length,
      count: members.length,
    };
  }).filter((bin) => bin.count > 0);
  const features = [
    'customer_orders__orders_90d',
    'customer_spend__monetary_365d',
    'customer_recency__days_since_last_order',
    'customer_orders__orders_30d',
    'customer_products__distinct_products_365d',
    'customer_spend__avg_basket_value',
    'customer_orders__months_active_365d',
    'customer_country__is_uk',
  ];
  const testMetrics = splitMetrics('test', test.scores, test.labels);
  const random = seededRandom(3);
  const cutoffs = ['2011-03-01', '2011-04-01', '2011-05-01', '2011-06-01', '2011-07-01'];
  return {
    title: 'Purchase propensity: customer_purchase_90d',
    generatedAt: '2024-05-01T12:00:00.000Z',
    metrics: [splitMetrics('train', train.scores, train.labels), testMetrics],
    roc: { fpr: points.map((p) => p.fp / negatives), tpr: points.map((p) => p.tp / positives) },
    pr: {
      recall: pts.map((p) => p.tp / positives),
      precision: pts.map((p) => p.tp / (p.tp + p.fp)),
    },
    calibration,
    scoreDistribution: scoreHistogram(test.scores, test.labels, { bins: 20 }),
    importance: features.map((feature, i) => ({
      feature,
      gain: Math.round(5000 * random() * (i + 1)),
      splits: Math.round(40 + 200 * random()),
    })),
    dataSummary: cutoffs.map((cutoff, i) => ({
      cutoff,
      rows: 2400 + i * 180 + Math.round(100 * random()),
      purchaseRate: 0.38 + 0.1 * random(),
      split: i === cutoffs.length - 1 ? ('test' as const) : ('train' as const),
    })),
    params: {
      objective: 'binary',
      numIterations: 100,
      learningRate: 0.1,
      maxDepth: 4,
      numLeaves: 15,
      minDataInLeaf: 20,
      featureFraction: 1,
      seed: 42,
      features: features.length,
      cutoffs: { train: cutoffs.slice(0, -1), test: cutoffs.at(-1) },
    },
    classificationReport: classificationReport(testMetrics.confusion),
    ...overrides,
  };
}

/** scikit-learn's `classification_report` layout, from a confusion matrix. */
function classificationReport(c: SplitMetrics['confusion']): string {
  const row = (name: string, tp: number, fp: number, fn: number) => {
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const f1 = (2 * precision * recall) / (precision + recall);
    return [name.padStart(12), ...[precision, recall, f1].map((v) => v.toFixed(2).padStart(9))]
      .join(' ')
      .concat(String(tp + fn).padStart(10));
  };
  const n = c.tn + c.fp + c.fn + c.tp;
  return [
    `${' '.repeat(13)}precision    recall  f1-score   support`,
    '',
    row('0', c.tn, c.fn, c.fp),
    row('1', c.tp, c.fp, c.fn),
    '',
    `${'accuracy'.padStart(12)}${((c.tp + c.tn) / n).toFixed(2).padStart(30)}${String(n).padStart(10)}`,
  ].join('\n');
}
