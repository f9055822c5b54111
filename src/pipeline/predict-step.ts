import type { ProjectPaths } from '../config/paths.js';
import { createInstance, withConnection } from '../duckdb/connection.js';
import { PARQUET_FORMAT } from '../duckdb/parquet.js';
import { TrainingError } from '../errors.js';
import { FeatureStore } from '../retrieval/feature-store.js';
import { loadModel } from '../training/model-file.js';
import { writeAtomically } from '../util/atomic-file.js';
import { DEFAULT_FEATURE_SERVICE, type PipelineArtifacts, pipelineArtifacts } from './artifacts.js';
import { formatEpochMs } from './train-step.js';
import { requireFile, retrieveMatrix } from './training-set.js';

export interface PredictStepOptions {
  readonly paths: ProjectPaths;
  /** Probability above which a customer counts as a predicted purchaser (default 0.5, as in training metrics). */
  readonly threshold?: number;
  /** The features the model was trained with: a feature service or references (default: the model's service). */
  readonly features?: string | readonly string[];
  readonly store?: FeatureStore;
}

export interface PredictStepResult {
  readonly artifacts: PipelineArtifacts;
  readonly cutoff: string;
  readonly customers: number;
  readonly predictedPurchasers: number;
  readonly meanProbability: number;
}

/**
 * The pipeline's predict step: every customer at the latest cutoff of the label spine →
 * the same point-in-time retrieval as training → the model's probabilities →
 * `models/predictions.parquet` (`customer_id`, `purchase_probability`, `purchase_predicted`).
 *
 * @example
 * const { customers, predictedPurchasers } = await predictStep({ paths: projectPaths() });
 */
export async function predictStep(options: PredictStepOptions): Promise<PredictStepResult> {
  const { paths } = options;
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new TrainingError(`Failed to predict: threshold ${threshold} is not between 0 and 1`);
  }
  const artifacts = pipelineArtifacts(paths);
  requireFile(artifacts.labels, paths, 'the label spine', 'duckfeat prep');
  requireFile(artifacts.model, paths, 'a trained model', 'duckfeat train');
  const model = await loadModel(artifacts.model);
  const spine = await latestSpine(artifacts.labels);

  const store = options.store ?? (await FeatureStore.open({ paths }));
  let matrix: Awaited<ReturnType<typeof retrieveMatrix>>;
  try {
    matrix = await retrieveMatrix(
      store,
      { columns: { customer_id: spine.customerIds, event_timestamp: spine.timestamps } },
      options.features ?? DEFAULT_FEATURE_SERVICE,
      { name: 'prediction_set' },
    );
  } finally {
    if (!options.store) await store.close();
  }
  const missing = model.featureNames.filter((f) => !matrix.featureNames.includes(f));
  if (missing.length > 0) {
    throw new TrainingError(
      `Failed to predict: the model needs features the feature service does not give: ${missing.join(', ')}; retrain with \`duckfeat train\``,
    );
  }
  const columns = model.featureNames.map((f) => matrix.features[matrix.featureNames.indexOf(f)]!);
  const probabilities = model.predictProba(columns);
  const predicted = await writePredictions(
    artifacts.predictions,
    matrix.keys,
    probabilities,
    threshold,
  );
  let sum = 0;
  for (const p of probabilities) sum += p;
  return {
    artifacts,
    cutoff: spine.cutoff,
    customers: probabilities.length,
    predictedPurchasers: predicted,
    meanProbability: probabilities.length > 0 ? sum / probabilities.length : Number.NaN,
  };
}

/** Every customer of the label spine's latest cutoff. */
async function latestSpine(labels: string): Promise<{
  customerIds: bigint[];
  timestamps: Date[];
  cutoff: string;
}> {
  return withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(
      `SELECT customer_id, event_timestamp FROM read_parquet($labels)
       WHERE event_timestamp = (SELECT max(event_timestamp) FROM read_parquet($labels))
       ORDER BY customer_id`,
      { labels },
    );
    const rows = reader.getRowsJS() as [bigint, Date][];
    if (rows.length === 0)
      throw new TrainingError('Failed to predict: the label spine has no rows');
    return {
      customerIds: rows.map((r) => r[0]),
      timestamps: rows.map((r) => r[1]),
      cutoff: formatEpochMs(rows[0]![1].getTime()),
    };
  });
}

/** Write the predictions parquet atomically; returns how many are predicted purchasers. */
async function writePredictions(
  path: string,
  keys: unknown[],
  probabilities: Float64Array,
  threshold: number,
): Promise<number> {
  const instance = await createInstance({ threads: 1 });
  try {
    return await withConnection(
      async (connection) => {
        await connection.run(
          'CREATE TABLE predictions (customer_id BIGINT, purchase_probability DOUBLE, purchase_predicted BOOLEAN)',
        );
        const appender = await connection.createAppender('predictions');
        let predicted = 0;
        try {
          for (let i = 0; i < probabilities.length; i++) {
            const p = probabilities[i]!;
            const yes = p > threshold;
            if (yes) predicted++;
            appender.appendBigInt(BigInt(keys[i] as bigint));
            appender.appendDouble(p);
            appender.appendBoolean(yes);
            appender.endRow();
          }
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
        await writeAtomically(path, async (temp) => {
          await connection.run(
            `COPY (SELECT * FROM predictions ORDER BY purchase_probability DESC, customer_id) TO $out (${PARQUET_FORMAT})`,
            { out: temp },
          );
        });
        return predicted;
      },
      { instance },
    );
  } finally {
    instance.closeSync();
  }
}
