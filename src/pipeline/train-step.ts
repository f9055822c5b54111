import type { ProjectPaths } from '../config/paths.js';
import { formatTimestamp } from '../engine/timestamps.js';
import { TrainingError } from '../errors.js';
import { loadRepository } from '../repo/load-repository.js';
import type { Repository } from '../repo/repository.js';
import type { CutoffSummary, ReportInput, SplitMetrics } from '../report/report-input.js';
import { writeReportInput } from '../report/report-input-file.js';
import { scoreHistogram } from '../report/score-histogram.js';
import { writeReport } from '../report/write-report.js';
import { FeatureStore } from '../retrieval/feature-store.js';
import { trainGBDT } from '../training/gbdt.js';
import { type BinaryEvaluation, evaluateBinary } from '../training/metrics.js';
import type { Model } from '../training/model.js';
import { saveModel } from '../training/model-file.js';
import { canonicalParamNames } from '../training/params.js';
import { PIPELINE_PARAMS } from '../training/pipeline-params.js';
import { type PipelineArtifacts, pipelineArtifacts } from './artifacts.js';
import { type ResolvedLabelView, resolveLabelView } from './label-view.js';
import { requireFile, retrieveMatrix, take, takeRows, temporalSplit } from './training-set.js';

export interface TrainStepOptions {
  readonly paths: ProjectPaths;
  /** The feature repository (default: loaded from `paths.repo`). */
  readonly repository?: Repository;
  /** The label view to train on (default: the repository's only one). */
  readonly labels?: string | undefined;
  /** A feature service name or `view:feature` references (default: the label view's service). */
  readonly features?: string | readonly string[] | undefined;
  /** Parameters over {@link PIPELINE_PARAMS} (LightGBM names). */
  readonly params?: Record<string, unknown> | undefined;
  /** An open store to retrieve with (default: one over the registry, closed afterwards). */
  readonly store?: FeatureStore;
  /** Called with each boosting iteration (0-based) and the total. */
  readonly onIteration?: (iteration: number, total: number) => void;
}

export interface TrainStepResult {
  readonly artifacts: PipelineArtifacts;
  readonly labels: ResolvedLabelView;
  readonly featureNames: string[];
  readonly testCutoff: string;
  readonly train: BinaryEvaluation;
  readonly test: BinaryEvaluation;
  readonly cutoffs: CutoffSummary[];
  readonly params: Record<string, unknown>;
  readonly timings: { retrieveMs: number; trainMs: number; totalMs: number };
}

/**
 * The pipeline's train step: the label view's rows (every entity key × cutoff) →
 * point-in-time features of its feature service → temporal split (the last cutoff is the
 * test set) → GBDT on the label column → metrics, model, `metrics.json` and the HTML report.
 *
 * @example
 * const result = await trainStep({ paths: projectPaths() });
 * console.log(result.test.rocAuc);
 */
export async function trainStep(options: TrainStepOptions): Promise<TrainStepResult> {
  const started = performance.now();
  const { paths } = options;
  const labels = resolveLabelView(
    options.repository ?? (await loadRepository(paths)),
    options.labels,
  );
  const artifacts = pipelineArtifacts(paths, labels);
  requireFile(artifacts.labels, paths, 'the label spine', 'duckfeat prep');

  const store = options.store ?? (await FeatureStore.open({ paths }));
  let matrix: Awaited<ReturnType<typeof retrieveMatrix>>;
  try {
    matrix = await retrieveMatrix(
      store,
      artifacts.labels,
      options.features ?? labels.featureService,
      {
        labelColumn: labels.label,
        name: 'training_set',
      },
    );
  } finally {
    if (!options.store) await store.close();
  }
  const retrieved = performance.now();
  if (matrix.rowCount === 0) {
    throw new TrainingError('Failed to train: the label spine has no rows');
  }
  const label = matrix.label!;
  const split = temporalSplit(matrix.timestamps);
  if (split.train.length === 0) {
    throw new TrainingError(
      'Failed to train: the label spine has a single cutoff, so there is nothing before the test cutoff to train on',
    );
  }
  const trainX = takeRows(matrix.features, split.train);
  const testX = takeRows(matrix.features, split.test);
  const trainY = take(label, split.train);
  const testY = take(label, split.test);

  // Canonical names, so that an alias in `options.params` (num_trees) replaces the pipeline's
  // value (num_iterations) in the progress total and the report instead of sitting beside it.
  const params = canonicalParamNames({ ...PIPELINE_PARAMS, ...options.params });
  const total = Number(params['num_iterations'] ?? 100);
  const model = await trainGBDT({
    features: trainX,
    featureNames: matrix.featureNames,
    label: trainY,
    params,
    ...(options.onIteration ? { onIteration: (i: number) => options.onIteration!(i, total) } : {}),
  });
  const trained = performance.now();

  const trainEval = evaluateBinary(model.predictProba(trainX), trainY);
  const testScores = model.predictProba(testX);
  const testEval = evaluateBinary(testScores, testY);
  const cutoffs = summarizeCutoffs(matrix.timestamps, label, split.testTimestamp);
  const testCutoff = formatEpochMs(split.testTimestamp);

  await saveModel(model, artifacts.model);
  const report: ReportInput = {
    title: labels.description ?? `${labels.prediction} (${labels.label})`,
    generatedAt: new Date().toISOString(),
    metrics: [splitMetrics('train', trainEval), splitMetrics('test', testEval)],
    roc: testEval.rocCurve,
    pr: testEval.prCurve,
    calibration: testEval.calibration,
    scoreDistribution: scoreHistogram(testScores, testY, { bins: 20 }),
    importance: importance(model),
    dataSummary: cutoffs,
    params: { ...params, features: matrix.featureNames.join(', '), test_cutoff: testCutoff },
    classificationReport: testEval.classificationReport,
  };
  await writeReportInput(report, artifacts.metrics);
  await writeReport(report, artifacts.report);

  return {
    artifacts,
    labels,
    featureNames: matrix.featureNames,
    testCutoff,
    train: trainEval,
    test: testEval,
    cutoffs,
    params,
    timings: {
      retrieveMs: retrieved - started,
      trainMs: trained - retrieved,
      totalMs: performance.now() - started,
    },
  };
}

function splitMetrics(split: 'train' | 'test', e: BinaryEvaluation): SplitMetrics {
  return {
    split,
    rows: e.rows,
    positiveRate: e.positiveRate,
    rocAuc: e.rocAuc,
    prAuc: e.prAuc,
    logLoss: e.logLoss,
    brier: e.brierScore,
    accuracy: e.accuracy,
    precision: e.precision,
    recall: e.recall,
    f1: e.f1,
    confusion: e.confusionMatrix,
  };
}

function importance(model: Model): ReportInput['importance'] {
  const gain = model.featureImportance('gain');
  const splits = model.featureImportance('split');
  return model.featureNames
    .map((feature, i) => ({ feature, gain: gain[i]!, splits: splits[i]! }))
    .sort((a, b) => b.gain - a.gain);
}

/** Rows and purchase rate per cutoff, in time order. */
export function summarizeCutoffs(
  timestamps: Float64Array,
  label: Float64Array,
  testTimestamp: number,
): CutoffSummary[] {
  const groups = new Map<number, { rows: number; positives: number }>();
  for (let i = 0; i < timestamps.length; i++) {
    const g = groups.get(timestamps[i]!) ?? { rows: 0, positives: 0 };
    g.rows++;
    if (label[i]! > 0) g.positives++;
    groups.set(timestamps[i]!, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, g]) => ({
      cutoff: formatEpochMs(t),
      rows: g.rows,
      purchaseRate: g.positives / g.rows,
      split: t === testTimestamp ? 'test' : 'train',
    }));
}

/** Epoch milliseconds → `YYYY-MM-DD HH:MM:SS` (UTC), as DuckDB prints a TIMESTAMP. */
export function formatEpochMs(ms: number): string {
  return formatTimestamp(BigInt(ms) * 1000n);
}
