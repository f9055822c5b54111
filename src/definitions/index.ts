/**
 * `duckfeat/definitions`: what a feature repository (`feature_store.ts`) needs — the
 * factories and the definition types — and nothing else. Loading a repository through it
 * loads a handful of small modules; `import … from 'duckfeat'` (still supported) loads
 * the whole package (DuckDB, PGlite, Fastify, BullMQ, the trainer, …) first.
 * @packageDocumentation
 */

export { parseDuration } from './duration.js';
export {
  defineConfig,
  entity,
  featureService,
  featureView,
  fileSource,
  labelView,
  onDemandFeatureView,
  requestSource,
} from './factories.js';
export type * from './types.js';
