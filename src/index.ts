/**
 * duckfeat: an embedded, SQL-centric feature store for TypeScript, driven by DuckDB.
 * @packageDocumentation
 */

export { type ProjectPaths, projectPaths } from './config/paths.js';
export * from './definitions/index.js';
export * from './engine/index.js';
export * from './errors.js';
export * from './ingest/index.js';
export * from './online/index.js';
export * from './pipeline/index.js';
export type { MaterializationRow } from './registry/materializations.js';
export { type FieldChange, formatPlan, type ObjectChange, type Plan } from './registry/plan.js';
export { type OpenRegistryOptions, openRegistry, type Registry } from './registry/registry.js';
export { loadRepository } from './repo/load-repository.js';
export type { Repository } from './repo/repository.js';
export { validateSources } from './repo/validate-sources.js';
export { renderReport } from './report/report-html.js';
export type * from './report/report-input.js';
export { readReportInput, writeReportInput } from './report/report-input-file.js';
export { scoreHistogram } from './report/score-histogram.js';
export { writeReport } from './report/write-report.js';
export * from './retrieval/index.js';
export { createServer, type DuckfeatServer, type ServerOptions } from './serving/index.js';
export { quoteIdentifier } from './sql/identifiers.js';
export * from './synth/index.js';
export * from './training/index.js';
export { maskUrl } from './util/mask-url.js';
