import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { withConnection } from '../../src/duckdb/connection.js';

/** The real UCI data, beside the repository (never copied into it). */
export const REAL_DATA = new URL('../../../shared/data/online_retail.parquet', import.meta.url)
  .pathname;

/** The repository's own SQL folder. */
export const SQL_DIR = new URL('../../sql', import.meta.url).pathname;

/**
 * Cleaned transactions from the raw UCI parquet, per DESIGN.md's cleaning rules, written
 * in a few lines of SQL so the engine tests do not depend on the ingest step.
 */
export async function writeCleanTransactions(
  connection: DuckDBConnection,
  target: string,
): Promise<void> {
  await connection.run(
    `COPY (
       SELECT InvoiceNo AS invoice_no, StockCode AS stock_code, Description AS description,
              Quantity AS quantity, InvoiceDate AS invoice_date, UnitPrice AS unit_price,
              CustomerID::BIGINT AS customer_id, Country AS country,
              Quantity * UnitPrice AS revenue, starts_with(InvoiceNo, 'C') AS is_cancellation
       FROM read_parquet($raw) WHERE CustomerID IS NOT NULL ORDER BY invoice_date
     ) TO $target (FORMAT parquet)`,
    { raw: REAL_DATA, target },
  );
}

/** The CLI, as users run it (from `dist/`: build first). */
export const CLI = new URL('../../bin/duckfeat.js', import.meta.url).pathname;

/** A fresh temp directory, removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'duckfeat-engine-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The checkout's seed feature repository (`feature_store/feature_store.ts`). */
export const SEED_REPOSITORY = new URL('../../feature_store/feature_store.ts', import.meta.url)
  .pathname;

/**
 * Make `root` a project whose feature repository `prep` loads: an ESM `package.json`,
 * `node_modules/duckfeat` linked to this checkout (its `dist/`), and
 * `feature_store/feature_store.ts`: the seed's, or `source`, with `extra` appended.
 */
export async function writeRepository(
  root: string,
  options: { source?: string; extra?: string } = {},
): Promise<void> {
  await mkdir(join(root, 'node_modules'), { recursive: true });
  await symlink(
    new URL('../..', import.meta.url).pathname,
    join(root, 'node_modules', 'duckfeat'),
    'dir',
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await writeFile(join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  await mkdir(join(root, 'feature_store'), { recursive: true });
  const source = options.source ?? (await readFile(SEED_REPOSITORY, 'utf8'));
  await writeFile(join(root, 'feature_store', 'feature_store.ts'), source + (options.extra ?? ''));
}

/**
 * A `feature_store.ts` declaration of a customer feature view computed by
 * `sql/features/<name>.sql` (for `writeRepository`'s `extra`, after the seed's `customer`).
 */
export function customerView(name: string, schema: string): string {
  return `
export const ${name} = featureView({
  name: '${name}', entities: [customer], schema: ${schema},
  source: fileSource({ path: 'data/${name}.parquet', timestampField: 'event_timestamp' }),
  transformation: 'sql/features/${name}.sql',
});
`;
}

/** A repository with only the `customer` entity, for `writeRepository`'s `source`. */
export const CUSTOMER_ONLY = `import { defineConfig, entity, featureView, fileSource } from 'duckfeat';
export const config = defineConfig({ project: 'test' });
export const customer = entity({ name: 'customer', joinKeys: ['customer_id'], valueType: 'int64' });
`;

/**
 * A project for CLI tests in a temp directory: the repository's SQL folder, the seed's
 * feature repository (with `extra` appended) and the cleaned real transactions as
 * `tx.parquet`.
 */
export async function cliProject(
  extra?: string,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const project = await tempDir();
  await cp(SQL_DIR, join(project.dir, 'sql'), { recursive: true });
  await writeRepository(project.dir, extra === undefined ? {} : { extra });
  await withConnection((c) => writeCleanTransactions(c, join(project.dir, 'tx.parquet')));
  return project;
}

/**
 * A feature file whose query runs for minutes (one customer, 20G rows counted): for tests
 * that interrupt a running task. Declared by `customerView('slow_features', SLOW_FEATURES_SCHEMA)`.
 */
export const SLOW_FEATURES_SQL = `/*
name: slow_features
@param cutoff TIMESTAMP  the cutoff
@param transactions VARCHAR  the transactions
*/
SELECT customer_id, $cutoff AS event_timestamp,
       (SELECT count(*) FROM range(20000000000) r WHERE r.range % 7 = customer_id % 7) AS n
FROM (SELECT DISTINCT customer_id FROM read_parquet($transactions) LIMIT 1)
`;
export const SLOW_FEATURES_SCHEMA = `{ n: 'int64' }`;
