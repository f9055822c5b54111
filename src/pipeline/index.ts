/** The pipeline's steps and what they share (re-exported from the package root). */
export { type PipelineArtifacts, pipelineArtifacts } from './artifacts.js';
export { type ResolvedLabelView, resolveLabelView } from './label-view.js';
export {
  openPipelineSession,
  type PipelineSession,
  type PipelineSessionOptions,
} from './pipeline-session.js';
export { type PredictStepOptions, type PredictStepResult, predictStep } from './predict-step.js';
export {
  type RecordMaterializationsOptions,
  type RecordMaterializationsOutcome,
  recordMaterializations,
} from './record-materializations.js';
export { type TrainStepOptions, type TrainStepResult, trainStep } from './train-step.js';
