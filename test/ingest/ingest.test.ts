import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { ingest } from '../../src/ingest/ingest.js';
import { duck, SHARED_PARQUET, writeUciWorkbook } from './uci-files.js';

const hasShared = existsSync(SHARED_PARQUET);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duckfeat-ingest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every cleaned row, in file order, as strings (bigints and timestamps compare exactly). */
async function rowsOf(parquet: string): Promise<string[]> {
  const rows = await duck('SELECT * FROM read_parquet($parquet)', { parquet });
  return rows.map((row) => row.map(String).join('\u0001'));
}

describe.skipIf(!hasShared)('ingest of the real UCI data', () => {
  it('cleans the full parquet to 406,829 rows and 4,372 customers, sorted by date, then reuses the cache', async () => {
    const paths = projectPaths({ root: join(dir, 'full') });
    const first = await ingest({ input: SHARED_PARQUET, paths });
    expect(first).toMatchObject({
      path: paths.transactions,
      rows: 406_829,
      customers: 4_372,
      minInvoiceDate: '2010-12-01 08:26:00',
      maxInvoiceDate: '2011-12-09 12:50:00',
      cached: false,
    });
    const schema = await duck(
      'SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($p))',
      { p: first.path },
    );
    expect(schema.map((r) => r.join(' '))).toEqual([
      'invoice_no VARCHAR',
      'stock_code VARCHAR',
      'description VARCHAR',
      'quantity BIGINT',
      'invoice_date TIMESTAMP',
      'unit_price DOUBLE',
      'customer_id BIGINT',
      'country VARCHAR',
      'revenue DOUBLE',
      'is_cancellation BOOLEAN',
    ]);
    // independent reference: the DESIGN.md rules written directly against the raw file
    const [check] = await duck(
      `WITH ref AS (
         SELECT InvoiceNo AS invoice_no, StockCode AS stock_code, Description AS description,
                Quantity AS quantity, InvoiceDate AS invoice_date, UnitPrice AS unit_price,
                CustomerID::BIGINT AS customer_id, Country AS country,
                Quantity * UnitPrice AS revenue, InvoiceNo LIKE 'C%' AS is_cancellation
         FROM read_parquet($raw) WHERE CustomerID IS NOT NULL),
       got AS (SELECT * FROM read_parquet($p))
       SELECT (SELECT count(*) FROM (SELECT * FROM ref EXCEPT ALL SELECT * FROM got)),
              (SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM ref)),
              (SELECT count(*) FROM got WHERE is_cancellation),
              (SELECT count(*) FROM (
                 SELECT invoice_date AS d, lag(invoice_date) OVER (ORDER BY file_row_number) AS prev
                 FROM read_parquet($p, file_row_number = true)) WHERE d < prev),
              (SELECT max(row_group_num_rows) FROM parquet_metadata($p))`,
      { raw: SHARED_PARQUET, p: first.path },
    );
    expect(check!.map(Number)).toEqual([0, 0, 8_905, 0, 49_152]);

    const out = join(dir, 'full', 'again.parquet');
    const second = await ingest({ input: SHARED_PARQUET, paths, out });
    expect(second).toMatchObject({ cached: true, rows: 406_829, fingerprint: first.fingerprint });
    // The input hash is the file's SHA-256; the fingerprint also covers the cleaning code.
    const sha = createHash('sha256')
      .update(await readFile(SHARED_PARQUET))
      .digest('hex');
    expect(first.inputSha256).toBe(sha);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(first.fingerprint).not.toBe(sha);
    expect(await readFile(out)).toEqual(await readFile(first.path));
    const forced = await ingest({ input: SHARED_PARQUET, paths, out, force: true });
    expect(forced.cached).toBe(false);
  });

  it('gives identical rows from the parquet, an .xlsx and a .csv of the same 20,000 rows', async () => {
    const slice = join(dir, 'slice.parquet');
    const csv = join(dir, 'slice.csv');
    const xlsx = join(dir, 'slice.xlsx');
    await duck(
      `COPY (SELECT * FROM read_parquet($raw) LIMIT 20000) TO '${slice}' (FORMAT parquet)`,
      { raw: SHARED_PARQUET },
    );
    await duck(`COPY (SELECT * FROM read_parquet('${slice}')) TO '${csv}' (HEADER)`);
    await writeUciWorkbook(slice, xlsx);

    const paths = projectPaths({ root: join(dir, 'eq') });
    const results = [];
    for (const input of [slice, xlsx, csv]) {
      const out = join(dir, 'eq', `${input.split('.').pop()}.parquet`);
      results.push(await ingest({ input, paths, out }));
    }
    const [fromParquet, fromXlsx, fromCsv] = await Promise.all(results.map((r) => rowsOf(r.path)));
    const [reference] = await duck(
      `SELECT count(*), count(DISTINCT CustomerID) FROM read_parquet($slice) WHERE CustomerID IS NOT NULL`,
      { slice },
    );
    expect(fromParquet!.length).toBe(Number(reference![0]));
    expect(results[0]!.customers).toBe(Number(reference![1]));
    expect(fromXlsx).toEqual(fromParquet);
    expect(fromCsv).toEqual(fromParquet);
    // text stays text: numeric cells in the workbook do not become '536365.0'
    expect(fromXlsx![0]!.split('\u0001')[0]).toBe('536365');

    // a copy under another name has the same content hash: the cache answers
    const copy = join(dir, 'copy-of-slice.xlsx');
    await copyFile(xlsx, copy);
    const again = await ingest({ input: copy, paths, out: join(dir, 'eq', 'copy.parquet') });
    expect(again).toMatchObject({ cached: true, fingerprint: results[1]!.fingerprint });
  });
});
