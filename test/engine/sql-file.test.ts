import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '../../src/duckdb/connection.js';
import { computeCutoffs } from '../../src/engine/cutoffs.js';
import { checkBindings, describeSqlFile, loadSqlFile } from '../../src/engine/sql-file.js';
import { SqlFileError } from '../../src/errors.js';
import { SQL_DIR, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

async function fileWith(text: string): Promise<string> {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.sql`);
  await writeFile(path, text);
  return path;
}

async function loadError(text: string): Promise<SqlFileError> {
  const path = await fileWith(text);
  const error = await loadSqlFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SqlFileError);
  return error as SqlFileError;
}

const HEADER = `/*
name: v
@param cutoff TIMESTAMP  the cutoff
*/
`;

describe('loadSqlFile', () => {
  it('reads the header of the shipped files', async () => {
    const file = await loadSqlFile(join(SQL_DIR, 'labels/purchase_labels.sql'));
    expect(file.name).toBe('purchase_labels');
    expect(file.parameters.map((p) => [p.name, p.type])).toEqual([
      ['transactions', 'VARCHAR'],
      ['cutoff', 'TIMESTAMP'],
      ['feature_window_days', 'INTEGER'],
      ['label_window_days', 'INTEGER'],
    ]);
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names file:line of a parse error', async () => {
    const e = await loadError(`${HEADER}SELECT $cutoff AS c\nFROM t\nWHER x\n`);
    expect(e.location).toMatch(/\.sql:7$/);
    expect(e.message).toContain('syntax error');
  });

  it('refuses a parameter used but not declared, at the line of use', async () => {
    const e = await loadError(`${HEADER}SELECT $cutoff AS c,\n  $other AS o\n`);
    expect(e.location).toMatch(/\.sql:6$/);
    expect(e.message).toContain('$other is used but not declared');
  });

  it('refuses a parameter declared but never used, at its declaration', async () => {
    const e = await loadError(
      `/*\nname: v\n@param cutoff TIMESTAMP x\n@param n INTEGER y\n*/\nSELECT $cutoff\n`,
    );
    expect(e.location).toMatch(/\.sql:4$/);
  });

  it('ignores $names in comments and strings', async () => {
    const path = await fileWith(`${HEADER}-- $nope\nSELECT $cutoff AS c, '$also_not' AS s\n`);
    expect((await loadSqlFile(path)).parameters).toHaveLength(1);
  });

  it('refuses a file without a header, a name or with two statements', async () => {
    expect((await loadError('SELECT 1')).location).toMatch(/:1$/);
    expect((await loadError('/* x */ SELECT 1')).message).toContain('no `name:`');
    expect((await loadError(`${HEADER}SELECT $cutoff; SELECT 2`)).message).toContain('found 2');
  });
});

describe('checkBindings', () => {
  it('refuses a declared parameter not supplied and a supplied one not declared', async () => {
    const file = await loadSqlFile(join(SQL_DIR, 'features/customer_rfm_features.sql'));
    const ok = {
      transactions: 'x.parquet',
      cutoff: '2011-03-01 08:26:00',
      feature_window_days: 90,
    };
    expect(() => checkBindings(file, ok)).not.toThrow();
    const { feature_window_days: _, ...missing } = ok;
    expect(() => checkBindings(file, missing)).toThrow(
      /feature_window_days is declared but not supplied.*customer_rfm_features\.sql:8/,
    );
    expect(() => checkBindings(file, { ...ok, label_window_days: 30 })).toThrow(
      /label_window_days is supplied but not declared.*customer_rfm_features\.sql:1\)/,
    );
    expect(() => checkBindings(file, { ...ok, cutoff: 'yesterday' })).toThrow(/not a timestamp/);
  });

  it('describes the output columns with DuckDB types', async () => {
    const file = await loadSqlFile(join(SQL_DIR, 'labels/purchase_labels.sql'));
    const columns = await withConnection((c) =>
      describeSqlFile(
        file,
        {
          transactions: new URL('../../../shared/data/online_retail.parquet', import.meta.url)
            .pathname,
          cutoff: '2011-03-01 08:26:00',
          feature_window_days: 90,
          label_window_days: 30,
        },
        c,
      ),
    ).catch((e: unknown) => e);
    // The raw UCI file lacks the cleaned columns: describing it must fail with DuckDB's reason.
    expect(columns).toBeInstanceOf(SqlFileError);
  });
});

describe('computeCutoffs', () => {
  it('gives the 9 cutoffs of the real data range', () => {
    const cutoffs = computeCutoffs('2010-12-01 08:26:00', '2011-12-09 12:50:00');
    expect(cutoffs).toHaveLength(9);
    expect(cutoffs[0]).toBe('2011-03-01 08:26:00');
    expect(cutoffs[8]).toBe('2011-10-27 08:26:00');
  });

  it('includes a cutoff exactly at max - label window, and honours the step', () => {
    expect(computeCutoffs('2011-01-01 00:00:00', '2011-05-01 00:00:00')).toEqual([
      '2011-04-01 00:00:00',
    ]);
    expect(
      computeCutoffs('2011-01-01 00:00:00', '2011-05-01 00:00:00', {
        stepDays: 7,
        featureWindowDays: 10,
        labelWindowDays: 100,
      }),
    ).toEqual(['2011-01-11 00:00:00', '2011-01-18 00:00:00']);
  });

  it('refuses windows and steps that are not positive integers, as its message says', () => {
    for (const windows of [{ featureWindowDays: 0 }, { labelWindowDays: 0 }, { stepDays: 0 }]) {
      expect(() => computeCutoffs('2011-01-01 00:00:00', '2011-05-01 00:00:00', windows)).toThrow(
        /must be a positive integer/,
      );
    }
  });
});
