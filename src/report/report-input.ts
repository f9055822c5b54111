/**
 * What the model report shows. The train step fills a {@link ReportInput}, saves it as
 * `models/metrics.json` (it is plain JSON: no typed arrays, the score distribution is a
 * precomputed histogram) and renders `models/report.html` from it.
 */

/** The metrics of one split. */
export interface SplitMetrics {
  split: 'train' | 'test';
  rows: number;
  positiveRate: number;
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: { tn: number; fp: number; fn: number; tp: number };
}

/** One calibration bin: mean predicted probability against the observed positive rate. */
export interface CalibrationBin {
  meanPredicted: number;
  fractionPositive: number;
  count: number;
}

/**
 * Scores binned per class: `edges` has one more entry than `negative` and `positive`;
 * bin `i` holds scores in `[edges[i], edges[i + 1])` (the last bin is closed on the right).
 * Build it with `scoreHistogram(scores, labels)`.
 */
export interface ScoreHistogram {
  edges: number[];
  negative: number[];
  positive: number[];
}

/** Rows and purchase rate of one cutoff of the training data. */
export interface CutoffSummary {
  cutoff: string;
  rows: number;
  purchaseRate: number;
  split: 'train' | 'test';
}

/** One feature's importance in the trained model. */
export interface FeatureImportance {
  feature: string;
  gain: number;
  splits: number;
}

/** Everything the model report shows; JSON-serializable (the content of `metrics.json`). */
export interface ReportInput {
  title: string;
  /** ISO timestamp of the training run. */
  generatedAt: string;
  /** Train and test metrics. */
  metrics: SplitMetrics[];
  /** ROC curve of the test split, points in threshold order. */
  roc: { fpr: number[]; tpr: number[] };
  /** Precision–recall curve of the test split. */
  pr: { precision: number[]; recall: number[] };
  /** Calibration bins of the test split. */
  calibration: CalibrationBin[];
  /** Test-split scores by class. */
  scoreDistribution: ScoreHistogram;
  importance: FeatureImportance[];
  dataSummary: CutoffSummary[];
  /** Training parameters, shown as a table (nested values as JSON). */
  params: Record<string, unknown>;
  /** A scikit-learn style classification report, shown as preformatted text. */
  classificationReport?: string;
}
