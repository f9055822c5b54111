/** Point-in-time retrieval: the public surface (see feature-store.ts for the entry point). */

export type { ColumnInfo } from '../duckdb/column-types.js';
export type { ResultColumns } from '../duckdb/read-columns.js';
export { renderCompiledSql, writeCompiledSql } from './compiled-sql-writer.js';
export {
  type CompiledQuery,
  type CompiledRetrieval,
  type CompileInput,
  compileRetrieval,
  type OutputColumn,
  type RenderOptions,
  renderRetrieval,
} from './compiler.js';
export type { EntityInput, EntityRelation } from './entity-input.js';
export { type FeatureSelection, resolveFeatureSelection } from './feature-refs.js';
export { type DefinitionSource, FeatureStore, type FeatureStoreOptions } from './feature-store.js';
export { RetrievalJob } from './job.js';
export { evaluateOnDemand, onDemandSql } from './on-demand.js';
export {
  type PlanInput,
  planRetrieval,
  type RetrievalPlan,
  type ViewPlan,
  withUniqueSources,
} from './plan.js';
export { registryDefinitionSource } from './registry-source.js';
export type { HistoricalFeaturesRequest } from './request.js';
export {
  latestRowPerKeySql,
  type SourceRelation,
  sourceRelation,
} from './source-relation.js';
