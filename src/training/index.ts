export { type LabeledData, type TrainOptions, trainGBDT } from './gbdt.js';
export * from './metrics.js';
export { Model, type ModelHeader } from './model.js';
export { loadModel, saveModel } from './model-file.js';
export { parseModel, writeModelText } from './model-text.js';
export { DEFAULT_PARAMS, type GBDTParams, type Metric, resolveParams } from './params.js';
export { PIPELINE_PARAMS } from './pipeline-params.js';
export { type NumericColumns, readParquetColumns } from './read-columns.js';
export { classificationReport } from './report-text.js';
export {
  type ParquetTrainingOptions,
  type ParquetTrainingResult,
  trainOnParquet,
} from './train-parquet.js';
