import type { DuckDBConnection } from '@duckdb/node-api';
import type { ProjectPaths } from '../config/paths.js';
import { createInstance } from '../duckdb/connection.js';
import { PARQUET_FORMAT } from '../duckdb/parquet.js';
import { TrainingError } from '../errors.js';
import { loadRepository } from '../repo/load-repository.js';
import type { Repository } from '../repo/repository.js';
import { FeatureStore } from '../retrieval/feature-store.js';
import { quoteIdentifier } from '../sql/identifiers.js';
import { loadModel } from '../training/model-file.js';
import { writeAtomically } from '../util/atomic-file.js';
import { type PipelineArtifacts, pipelineArtifacts } from './artifacts.js';
import { type ResolvedLabelView, resolveLabelView } from './label-view.js';
import { formatEpochMs } from './train-step.js';
import { requireFile, retrieveMatrix } from './training-set.js';

export interface PredictStepOptions {
  readonly paths: ProjectPaths;
  /** The feature repository (default: loaded from `paths.repo`). */
  readonly repository?: Repository;
  /** The label view whose model scores its latest rows (default: the repository's only one). */
  readonly labels?: string;
  /** Probability above which a row counts as predicted positive (default 0.5, as in training metrics). */
  readonly threshold?: number;
  /** The features the model was trained with: a feature service or references (default: the label view's service). */
  readonly features?: string | readonly string[];
  readonly store?: FeatureStore;
}

export interface PredictStepResult {
  readonly artifacts: PipelineArtifacts;
  readonly labels: ResolvedLabelView;
  readonly cutoff: string;
  /** Rows scored: every key of the label view's latest cutoff. */
  readonly rows: number;
  /** Rows whose probability is above the threshold. */
  readonly predictedPositive: number;
  readonly meanProbability: number;
}

/**
 * The pipeline's predict step: every key of the label view's latest cutoff → the same
 * point-in-time retrieval as training → the model's probabilities →
 * `models/predictions.parquet`: the keys, `<prediction>_probability` and
 * `<prediction>_predicted` (for the seed: `customer_id`, `purchase_probability`,
 * `purchase_predicted`), by probability, highest first.
 *
 * @example
 * const { rows, predictedPositive } = await predictStep({ paths: projectPaths() });
 */
export async function predictStep(options: PredictStepOptions): Promise<PredictStepResult> {
  const { paths } = options;
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new TrainingError(`Failed to predict: threshold ${threshold} is not between 0 and 1`);
  }
  const labels = resolveLabelView(
    options.repository ?? (await loadRepository(paths)),
    options.labels,
  );
  const artifacts = pipelineArtifacts(paths, labels);
  requireFile(artifacts.labels, paths, 'the label spine', 'duckfeat prep');
  requireFile(artifacts.model, paths, 'a trained model', 'duckfeat train');
  const model = await loadModel(artifacts.model);

  const instance = await createInstance({ threads: 1 });
  try {
    const connection = await instance.connect();
    try {
      const spine = await latestSpine(connection, artifacts.labels, labels.keys);
      const store = options.store ?? (await FeatureStore.open({ paths }));
      let matrix: Awaited<ReturnType<typeof retrieveMatrix>>;
      try {
        matrix = await retrieveMatrix(
          store,
          { columns: spine.columns },
          options.features ?? labels.featureService,
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
      const columns = model.featureNames.map(
        (f) => matrix.features[matrix.featureNames.indexOf(f)]!,
      );
      const probabilities = model.predictProba(columns);
      const predicted = await writePredictions(connection, artifacts.predictions, {
        keys: labels.keys,
        prediction: labels.prediction,
        probabilities,
        threshold,
      });
      let sum = 0;
      for (const p of probabilities) sum += p;
      return {
        artifacts,
        labels,
        cutoff: spine.cutoff,
        rows: probabilities.length,
        predictedPositive: predicted,
        meanProbability: probabilities.length > 0 ? sum / probabilities.length : Number.NaN,
      };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/**
 * The label rows of the latest cutoff, ordered by key, into the table `spine`
 * (`__row` numbers them in that order) and as columns for retrieval.
 */
async function latestSpine(
  connection: DuckDBConnection,
  labels: string,
  keys: readonly string[],
): Promise<{ columns: Record<string, unknown[]>; cutoff: string }> {
  const keyList = keys.map(quoteIdentifier).join(', ');
  await connection.run(
    `CREATE TABLE spine AS
     SELECT row_number() OVER (ORDER BY ${keyList}) AS __row, ${keyList}, event_timestamp
     FROM read_parquet($labels)
     WHERE event_timestamp = (SELECT max(event_timestamp) FROM read_parquet($labels))`,
    { labels },
  );
  const reader = await connection.runAndReadAll(
    `SELECT ${keyList}, event_timestamp FROM spine ORDER BY __row`,
  );
  const rows = reader.getRowsJS();
  if (rows.length === 0) throw new TrainingError('Failed to predict: the label spine has no rows');
  const columns: Record<string, unknown[]> = {};
  [...keys, 'event_timestamp'].forEach((name, i) => {
    columns[name] = rows.map((r) => r[i]);
  });
  return { columns, cutoff: formatEpochMs((rows[0]!.at(-1) as Date).getTime()) };
}

/**
 * Write the predictions parquet atomically: the spine's keys beside each probability (row
 * for row), highest probability first. Returns how many are above the threshold.
 */
async function writePredictions(
  connection: DuckDBConnection,
  path: string,
  options: {
    keys: readonly string[];
    prediction: string;
    probabilities: Float64Array;
    threshold: number;
  },
): Promise<number> {
  const { probabilities, threshold } = options;
  await connection.run('CREATE TABLE scores (__row BIGINT, p DOUBLE)');
  const appender = await connection.createAppender('scores');
  let predicted = 0;
  try {
    for (let i = 0; i < probabilities.length; i++) {
      const p = probabilities[i]!;
      if (p > threshold) predicted++;
      appender.appendBigInt(BigInt(i + 1));
      appender.appendDouble(p);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const keyList = options.keys.map((k) => `s.${quoteIdentifier(k)}`).join(', ');
  const probability = quoteIdentifier(`${options.prediction}_probability`);
  const flag = quoteIdentifier(`${options.prediction}_predicted`);
  await writeAtomically(path, async (temp) => {
    await connection.run(
      `COPY (
         SELECT ${keyList}, p.p AS ${probability}, p.p > $threshold AS ${flag}
         FROM spine AS s JOIN scores AS p USING (__row)
         ORDER BY ${probability} DESC, ${keyList}
       ) TO $out (${PARQUET_FORMAT})`,
      { out: temp, threshold },
    );
  });
  return predicted;
}
