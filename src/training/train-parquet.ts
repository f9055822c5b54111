import { existsSync } from 'node:fs';
import { withConnection } from '../duckdb/connection.js';
import { InputError } from '../errors.js';
import { type TrainOptions, trainGBDTWithScores } from './gbdt.js';
import { type BinaryEvaluation, evaluateBinary } from './metrics.js';
import type { Model } from './model.js';
import { numericColumnsOf, readParquetColumns } from './read-columns.js';

export interface ParquetTrainingOptions {
  /** Training parquet: the label column and numeric feature columns. */
  data: string;
  label: string;
  /** Optional validation parquet with the same columns. */
  valid?: string | undefined;
  params?: TrainOptions['params'] | undefined;
  onIteration?: TrainOptions['onIteration'];
}

export interface ParquetTrainingResult {
  model: Model;
  featureNames: string[];
  trainRows: number;
  validRows: number | null;
  /** Seconds spent in the trainer (reading the files excluded). */
  trainSeconds: number;
  train: BinaryEvaluation;
  valid: BinaryEvaluation | null;
}

/**
 * Train on any parquet file: every numeric column other than `label` is a feature, in file
 * order (cast to DOUBLE, NULL → NaN). The general entry point behind
 * `duckfeat train --data FILE.parquet --label COLUMN`.
 *
 * @example const { model, valid } = await trainOnParquet({ data: 'train.parquet', label: 'y', valid: 'test.parquet' });
 */
export async function trainOnParquet(
  options: ParquetTrainingOptions,
): Promise<ParquetTrainingResult> {
  for (const path of [options.data, options.valid]) {
    if (path !== undefined && !existsSync(path)) {
      throw new InputError(`Failed to train: no file at ${path}`);
    }
  }
  const read = await withConnection(async (connection) => {
    const { all, numeric } = await numericColumnsOf(connection, options.data);
    if (!all.includes(options.label)) {
      throw new InputError(
        `Failed to train: no label column '${options.label}' in ${options.data} (columns: ${all.join(', ')})`,
      );
    }
    const featureNames = numeric.filter((c) => c !== options.label);
    if (featureNames.length === 0) {
      throw new InputError(`Failed to train: ${options.data} has no numeric feature column`);
    }
    const columns = [...featureNames, options.label];
    const train = await readParquetColumns(connection, options.data, columns);
    const valid = options.valid
      ? await readParquetColumns(connection, options.valid, columns)
      : null;
    return { featureNames, train, valid };
  });
  const split = (cols: Float64Array[], path: string) => {
    const label = cols[cols.length - 1]!;
    for (const y of label) {
      if (y !== 0 && y !== 1) {
        throw new InputError(
          `Failed to train: label '${options.label}' in ${path} must be 0 or 1 (found ${y})`,
        );
      }
    }
    return { features: cols.slice(0, -1), label };
  };
  const train = split(read.train.columns, options.data);
  const valid = read.valid && options.valid ? split(read.valid.columns, options.valid) : undefined;
  const started = performance.now();
  const { model, trainRaw } = await trainGBDTWithScores({
    ...train,
    featureNames: read.featureNames,
    valid,
    params: options.params,
    onIteration: options.onIteration,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  return {
    model,
    featureNames: read.featureNames,
    trainRows: read.train.numRows,
    validRows: read.valid?.numRows ?? null,
    trainSeconds,
    // The boosting's own training scores: predicting the training rows again cost as much as
    // a third of the training time at 1M rows.
    train: evaluateBinary(
      trainRaw ? sigmoidInPlace(trainRaw, model.sigmoid) : model.predictProba(train.features),
      train.label,
    ),
    valid: valid ? evaluateBinary(model.predictProba(valid.features), valid.label) : null,
  };
}

function sigmoidInPlace(raw: Float64Array, scale: number): Float64Array {
  for (let i = 0; i < raw.length; i++) raw[i] = 1 / (1 + Math.exp(-scale * raw[i]!));
  return raw;
}
