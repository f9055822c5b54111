import { createRequire } from 'node:module';

/**
 * `@duckdb/node-api`'s values (classes, type constants, helpers), loaded with `require()`.
 * The package is CommonJS: an ES `import` of it first runs Node's CommonJS export lexer over
 * its ~60 files to find the named exports, ~150 ms of CPU in every process that opens DuckDB
 * (a third of loading it, more than `prep`'s planning); `require()` skips that and returns
 * the same module. Import values as `duckdb.X` from here; types from `@duckdb/node-api`
 * with `import type`.
 */
export const duckdb = createRequire(import.meta.url)(
  '@duckdb/node-api',
) as typeof import('@duckdb/node-api');
