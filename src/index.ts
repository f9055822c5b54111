/**
 * duckfeat: an embedded, SQL-centric feature store for TypeScript, driven by DuckDB.
 * @packageDocumentation
 */

export type * from './definitions/types.js';
export * from './errors.js';
export { quoteIdentifier } from './sql/identifiers.js';
