import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duck, writeWorkbook } from './uci-files.js';

const BIN = fileURLToPath(new URL('../../bin/duckfeat.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/ingest/', import.meta.url));
const HEADER =
  '<row r="1"><c r="A1" t="inlineStr"><is><t>InvoiceNo</t></is></c><c r="B1" t="inlineStr"><is><t>StockCode</t></is></c><c r="C1" t="inlineStr"><is><t>Description</t></is></c><c r="D1" t="inlineStr"><is><t>Quantity</t></is></c><c r="E1" t="inlineStr"><is><t>InvoiceDate</t></is></c><c r="F1" t="inlineStr"><is><t>UnitPrice</t></is></c><c r="G1" t="inlineStr"><is><t>CustomerID</t></is></c><c r="H1" t="inlineStr"><is><t>Country</t></is></c></row>';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duckfeat-cli-ingest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Run `duckfeat ingest` in a fresh project folder; returns the result and that folder. */
async function runIngest(input: string, ...extra: string[]) {
  const cwd = await mkdtemp(join(dir, 'project-'));
  const out = join(cwd, 'out', 'transactions.parquet');
  await mkdir(join(cwd, 'out'));
  const result = spawnSync(
    process.execPath,
    [BIN, 'ingest', '--input', input, '--out', out, ...extra],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  return { ...result, out, cwd };
}

async function expectCleanFailure(run: Awaited<ReturnType<typeof runIngest>>, message: RegExp) {
  expect(run.status).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: Failed to ingest/);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(run.out)).toBe(false);
  expect(await readdir(join(run.cwd, 'out'))).toEqual([]); // no temp file left either
  const cache = join(run.cwd, 'data', 'cache');
  expect(existsSync(cache) ? await readdir(cache) : []).toEqual([]);
}

describe.skipIf(!existsSync(BIN.replace(/bin\/duckfeat\.js$/, 'dist/cli/main.js')))(
  'duckfeat ingest on bad input',
  () => {
    it('a missing file', async () => {
      await expectCleanFailure(
        await runIngest(join(dir, 'nowhere.xlsx')),
        /no such file: .*nowhere\.xlsx$/,
      );
    });

    it('an unsupported extension', async () => {
      const path = join(dir, 'data.json');
      await writeFile(path, '[]');
      await expectCleanFailure(
        await runIngest(path),
        /unsupported file type '\.json' \(expected \.xlsx, \.csv or \.parquet\)/,
      );
    });

    it('a file named .xlsx that is not a zip', async () => {
      const path = join(dir, 'text.xlsx');
      await writeFile(path, 'InvoiceNo,StockCode\n');
      await expectCleanFailure(
        await runIngest(path),
        /text\.xlsx: not a readable \.xlsx \(zip\) file$/,
      );
    });

    it('a workbook with no sheet', async () => {
      await expectCleanFailure(
        await runIngest(await writeWorkbook(join(dir, 'no-sheet.xlsx'), [])),
        /the workbook has no sheet$/,
      );
    });

    it('an empty sheet', async () => {
      await expectCleanFailure(
        await runIngest(
          await writeWorkbook(join(dir, 'empty.xlsx'), [{ name: 'Retail', xml: '' }]),
        ),
        /sheet 'Retail' is empty$/,
      );
    });

    it('missing columns, naming them and the ones found', async () => {
      await expectCleanFailure(
        await runIngest(join(FIXTURES, 'missing-columns.csv')),
        /missing required columns: Description, Quantity \(found: "InvoiceNo", "StockCode", "Qty", "InvoiceDate", "Price", "CustomerID", "Country"\)$/,
      );
    });

    it('cells that are not numbers or dates, by spreadsheet row', async () => {
      await expectCleanFailure(
        await runIngest(join(FIXTURES, 'bad-cells.csv')),
        /4 bad cells, file rejected: Quantity not a whole number in 3 \(rows 3, 5, 8\); InvoiceDate not a date in 1 \(rows 4\)$/,
      );
    });

    it('a text cell in the InvoiceDate column of a workbook', async () => {
      const row = (r: number, date: string) =>
        `<row r="${r}"><c r="A${r}"><v>536365</v></c><c r="B${r}" t="inlineStr"><is><t>85123A</t></is></c><c r="C${r}" t="inlineStr"><is><t>HEART</t></is></c><c r="D${r}"><v>6</v></c><c r="E${r}" ${date}</c><c r="F${r}"><v>2.55</v></c><c r="G${r}"><v>17850</v></c><c r="H${r}" t="inlineStr"><is><t>United Kingdom</t></is></c></row>`;
      const xml =
        HEADER + row(2, '><v>40513.35138888889</v>') + row(3, 't="inlineStr"><is><t>soon</t></is>');
      await expectCleanFailure(
        await runIngest(await writeWorkbook(join(dir, 'bad-date.xlsx'), [{ name: 'S', xml }])),
        /1 bad cell, file rejected: InvoiceDate not a date in 1 \(rows 3\)$/,
      );
    });

    it('nothing left after cleaning', async () => {
      await expectCleanFailure(
        await runIngest(join(FIXTURES, 'no-customers.csv')),
        /no rows left after cleaning \(2 rows read, none with a customer id\)$/,
      );
    });

    it('prints the stack with --verbose', async () => {
      const run = await runIngest(join(FIXTURES, 'no-customers.csv'), '--verbose');
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/\n\s+at /);
    });
  },
);

describe('duckfeat ingest on good input', () => {
  it('reads Online Retail II columns and US dates, dropping rows without customer', async () => {
    const run = await runIngest(join(FIXTURES, 'online-retail-ii.csv'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const rows = await duck(`SELECT * FROM read_parquet('${run.out}')`);
    const ts = (s: string) => s;
    expect(rows.map((r) => r.map(String))).toEqual(
      [
        [
          '489434',
          '85048',
          '15CM CHRISTMAS GLASS BALL 20 LIGHTS',
          12,
          ts('2009-12-01 07:45:00'),
          6.95,
          13085,
          'United Kingdom',
          12 * 6.95,
          false,
        ],
        [
          '489434',
          '79323P',
          'PINK CHERRY LIGHTS',
          12,
          ts('2009-12-01 07:45:00'),
          6.75,
          13085,
          'United Kingdom',
          12 * 6.75,
          false,
        ],
        [
          '489435',
          '22350',
          'CAT BOWL "KITTY"',
          12,
          ts('2009-12-01 07:46:00'),
          2.55,
          13085,
          'United Kingdom',
          12 * 2.55,
          false,
        ],
        [
          'C489449',
          '22087',
          'PAPER BUNTING WHITE LACE, CREAM',
          -12,
          ts('2009-12-01 10:33:00'),
          2.95,
          16321,
          'Australia',
          -12 * 2.95,
          true,
        ],
      ].map((r) => r.map(String)),
    );
    expect(run.stdout).toMatch(
      /^4 transactions, 2 customers, 2009-12-01 07:45:00 … 2009-12-01 10:33:00 → /,
    );
    const again = spawnSync(
      process.execPath,
      [BIN, 'ingest', '--input', join(FIXTURES, 'online-retail-ii.csv'), '--out', run.out],
      { cwd: run.cwd, encoding: 'utf8' },
    );
    expect(again.stdout).toMatch(/reused the cache: input unchanged/);
  });

  it('reads a Latin-1 CSV (the Kaggle export of the UCI data)', async () => {
    const run = await runIngest(join(FIXTURES, 'latin1-kaggle.csv'));
    expect(run.status).toBe(0);
    const rows = await duck(
      `SELECT description, invoice_date::VARCHAR FROM read_parquet('${run.out}')`,
    );
    expect(rows).toEqual([['CAF\u00c9 MUG', '2010-12-01 08:26:00']]);
  });
});
