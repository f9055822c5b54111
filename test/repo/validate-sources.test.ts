import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { DefinitionError } from '../../src/errors.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import { validateSources } from '../../src/repo/validate-sources.js';
import { makeProject, repoSource } from './temp-repo.js';

/** Columns of the parquet written for the view `stats` (customer_id, timestamps, features). */
const GOOD_COLUMNS = `1::BIGINT AS customer_id, TIMESTAMP '2011-03-01' AS event_timestamp,
  TIMESTAMP '2011-03-01' AS created_timestamp, 3::BIGINT AS n_orders, 9.5::DOUBLE AS spend`;

// Like the real feature SQL: no created_timestamp column (prep stamps it on the parquet).
const TRANSFORM_SQL = `/*
name: stats
description: test view computed from its cutoff only
@param cutoff TIMESTAMP  the cutoff
*/
SELECT 1::BIGINT AS customer_id, $cutoff AS event_timestamp, 2::BIGINT AS n_orders,
  1.5::DOUBLE AS spend
`;

let root: string;
let cleanup: () => void;
beforeAll(async () => {
  const project = makeProject({ 'sql/stats.sql': TRANSFORM_SQL });
  root = project.root;
  cleanup = project.cleanup;
  await withConnection(async (c) => {
    const write = (select: string, file: string) =>
      c.run(
        `COPY (SELECT ${select}) TO '${join(root, 'feature_store', 'data', file)}' (FORMAT parquet)`,
      );
    mkdirSync(join(root, 'feature_store', 'data'), { recursive: true });
    await write(GOOD_COLUMNS, 'stats.parquet');
    await write(
      GOOD_COLUMNS.replace('3::BIGINT AS n_orders', "'3' AS n_orders"),
      'wrong_type.parquet',
    );
    await write(GOOD_COLUMNS.replace(', 9.5::DOUBLE AS spend', ''), 'no_spend.parquet');
    await write(
      GOOD_COLUMNS.replace('1::BIGINT AS customer_id', '1::BIGINT AS cust'),
      'no_key.parquet',
    );
  });
});
afterAll(() => cleanup());

async function check(featureStore: string) {
  writeFileSync(join(root, 'feature_store', 'feature_store.ts'), featureStore);
  const repo = await loadRepository(projectPaths({ root }));
  return validateSources(repo);
}

async function checkError(featureStore: string): Promise<string> {
  const error = await check(featureStore).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DefinitionError);
  return (error as Error).message;
}

const withSource = (path: string, extra = '') =>
  repoSource().replace("'data/stats.parquet'", `'${path}'${extra}`);

describe('validateSources', () => {
  it('accepts a parquet whose columns match the declaration', async () => {
    expect(await check(repoSource())).toEqual([
      {
        view: 'stats',
        checkedAgainst: expect.stringMatching(/feature_store\/data\/stats\.parquet$/),
      },
    ]);
  });

  it('names a join key missing from the source', async () => {
    expect(await checkError(withSource('data/no_key.parquet'))).toMatch(
      /^Failed to define feature view "stats": join key "customer_id" is missing from .*no_key\.parquet \(its columns: cust, event_timestamp, created_timestamp, n_orders, spend\) \(at .*feature_store\.ts\)$/,
    );
  });

  it('accepts the key when a field mapping renames the column', async () => {
    const mapped = withSource('data/no_key.parquet', ", fieldMapping: { cust: 'customer_id' }");
    expect((await check(mapped))[0]!.checkedAgainst).toMatch(/no_key\.parquet$/);
  });

  it('names a declared feature missing from the source', async () => {
    expect(await checkError(withSource('data/no_spend.parquet'))).toMatch(
      /^Failed to define feature view "stats": feature "spend" is missing from .*no_spend\.parquet/,
    );
  });

  it('names a feature of another type', async () => {
    expect(await checkError(withSource('data/wrong_type.parquet'))).toMatch(
      /^Failed to define feature view "stats": feature "n_orders" is declared int64 but is VARCHAR in .*wrong_type\.parquet \(at .*feature_store\.ts\)$/,
    );
  });

  it('describes the transformation SQL when the parquet does not exist yet', async () => {
    const viaSql = withSource('data/not_yet.parquet').replace(
      "ttl: '90d',",
      "ttl: '90d', transformation: 'sql/stats.sql',",
    );
    expect(await check(viaSql)).toEqual([
      { view: 'stats', checkedAgainst: expect.stringMatching(/sql\/stats\.sql$/) },
    ]);
    const wrong = viaSql.replace("spend: 'float64'", "spend: 'string'");
    expect(await checkError(wrong)).toMatch(
      /feature "spend" is declared string but is DOUBLE in .*sql\/stats\.sql/,
    );
    const missing = viaSql.replace('sql/stats.sql', 'sql/missing.sql');
    expect(await checkError(missing)).toContain(
      'its transformation sql/missing.sql does not exist',
    );
  });

  it('reports what it could not check', async () => {
    expect(await check(withSource('data/not_yet.parquet'))).toEqual([
      { view: 'stats', skipped: expect.stringMatching(/not_yet\.parquet does not exist yet$/) },
    ]);
  });
});
