import { join } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';

/** The files the train and predict steps read and write. */
export interface PipelineArtifacts {
  /** The label spine written by `prep`: one row per customer per cutoff. */
  readonly labels: string;
  /** The trained model, LightGBM's text format. */
  readonly model: string;
  /** Metrics and everything the report shows (the report's input, as JSON). */
  readonly metrics: string;
  readonly report: string;
  readonly predictions: string;
}

/** The feature service the purchase model is trained on (declared in `feature_store.ts`). */
export const DEFAULT_FEATURE_SERVICE = 'purchase_model_features';

/** The 0/1 label column of the label spine. */
export const LABEL_COLUMN = 'purchased';

export function pipelineArtifacts(paths: ProjectPaths): PipelineArtifacts {
  return {
    labels: join(paths.featureData, 'purchase_labels.parquet'),
    model: join(paths.models, 'purchase_model.txt'),
    metrics: join(paths.models, 'metrics.json'),
    report: join(paths.models, 'report.html'),
    predictions: join(paths.models, 'predictions.parquet'),
  };
}
