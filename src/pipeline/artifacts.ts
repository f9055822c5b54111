import { join } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import type { LabelViewDefinition } from '../definitions/types.js';

/** The files the train and predict steps read and write. */
export interface PipelineArtifacts {
  /** The label rows `prep` wrote for the label view: one row per entity key per cutoff. */
  readonly labels: string;
  /** The trained model, LightGBM's text format: `models/<prediction>_model.txt`. */
  readonly model: string;
  /** Metrics and everything the report shows (the report's input, as JSON). */
  readonly metrics: string;
  readonly report: string;
  readonly predictions: string;
}

/** Where the train and predict steps of a label view read and write. */
export function pipelineArtifacts(
  paths: ProjectPaths,
  labels: Pick<LabelViewDefinition, 'name' | 'prediction'>,
): PipelineArtifacts {
  return {
    labels: join(paths.featureData, `${labels.name}.parquet`),
    model: join(paths.models, `${labels.prediction}_model.txt`),
    metrics: join(paths.models, 'metrics.json'),
    report: join(paths.models, 'report.html'),
    predictions: join(paths.models, 'predictions.parquet'),
  };
}
