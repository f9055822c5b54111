import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ProjectPaths } from '../config/paths.js';
import { withConnection } from '../duckdb/connection.js';
import { PARQUET_FORMAT } from '../duckdb/parquet.js';
import { errorMessage, InputError } from '../errors.js';
import { writeAtomically, writeFileAtomically } from '../util/atomic-file.js';
import { fingerprintFile, hashParts } from './fingerprint.js';
import { describeRawSource, type SourceKind } from './raw-source.js';
import { packageSql } from './sql-text.js';

export interface IngestOptions {
  /** The raw input: `.xlsx`, `.csv` or `.parquet` in either UCI schema. */
  input: string;
  paths: ProjectPaths;
  /** Where the cleaned parquet goes; default `paths.transactions`. */
  out?: string | undefined;
  /** Parse the input again even when the cache has it. */
  force?: boolean | undefined;
  /** Phases: `fingerprint`, `read` (xlsx bytes), `validate`, `clean`, `cached`, `done`. */
  onProgress?: (event: { phase: string; done?: number; total?: number }) => void;
}

export interface IngestResult {
  /** The cleaned parquet written (`out`). */
  path: string;
  rows: number;
  customers: number;
  /** `YYYY-MM-DD HH:MM:SS` */
  minInvoiceDate: string;
  maxInvoiceDate: string;
  /**
   * Identifies the cleaned data: SHA-256 over the input file's bytes and the cleaning code
   * (SQL files, reader version). Downstream reuse (`prep`) keys on it, so editing the
   * cleaning SQL invalidates computed features even when the input is unchanged.
   */
  fingerprint: string;
  /** SHA-256 of the input file's bytes. */
  inputSha256: string;
  /** True when the cache was reused and the input was not parsed. */
  cached: boolean;
}

/** Bump when the readers change what they produce (the SQL files are hashed already). */
const READER_VERSION = '1';
/** Small row groups so per-cutoff queries skip most of the file by invoice_date min/max. */
const ROW_GROUP_SIZE = 49_152; // 24 × 2,048 (DuckDB rounds row groups up to whole vectors)
const SQL_FILES = ['ingest/typed_transactions', 'ingest/bad_cells', 'ingest/clean_transactions'];

type CacheEntry = Omit<IngestResult, 'path' | 'cached' | 'inputSha256' | 'fingerprint'>;

/**
 * Clean raw Online Retail transactions into `data/processed/transactions.parquet`, sorted by
 * invoice date. The result is cached under `paths.ingestCache` by the input's content hash
 * (and the cleaning SQL's): an unchanged input is not parsed again. Bad input raises an
 * {@link InputError} and leaves no output file behind.
 *
 * @example
 * const result = await ingest({ input: 'data/input/Online Retail.xlsx', paths: projectPaths() });
 * console.log(result.rows, result.cached ? '(cache)' : '');
 */
export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const { paths, onProgress } = options;
  const input = resolve(paths.root, options.input);
  const out = resolve(paths.root, options.out ?? paths.transactions);
  const kind = await sourceKind(input);

  const fingerprint = await fingerprintFile(input, (done, total) =>
    onProgress?.({ phase: 'fingerprint', done, total }),
  );
  const sql = await Promise.all(SQL_FILES.map((name) => packageSql(name)));
  const cleanedFingerprint = hashParts(fingerprint, READER_VERSION, String(ROW_GROUP_SIZE), ...sql);
  const key = cleanedFingerprint.slice(0, 20);
  const cachedParquet = join(paths.ingestCache, `transactions-${key}.parquet`);
  const cachedMeta = join(paths.ingestCache, `transactions-${key}.json`);

  let entry = options.force ? undefined : await readCacheEntry(cachedMeta, cachedParquet);
  const cached = entry !== undefined;
  if (entry) {
    onProgress?.({ phase: 'cached' });
  } else {
    await mkdir(paths.ingestCache, { recursive: true });
    entry = await writeAtomically(cachedParquet, (temp) =>
      cleanInto(temp, { input, kind, sql, cacheDir: paths.ingestCache, onProgress }),
    );
    await writeFileAtomically(cachedMeta, `${JSON.stringify(entry, null, 2)}\n`);
  }
  if (out !== cachedParquet) await writeAtomically(out, (temp) => copyFile(cachedParquet, temp));
  onProgress?.({ phase: 'done' });
  return { path: out, ...entry, fingerprint: cleanedFingerprint, inputSha256: fingerprint, cached };
}

async function sourceKind(input: string): Promise<'xlsx' | 'csv' | 'parquet'> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new InputError(`Failed to ingest: no such file: ${input}`);
  if (!info.isFile()) throw new InputError(`Failed to ingest: not a file: ${input}`);
  const ext = extname(input).toLowerCase();
  if (ext === '.xlsx' || ext === '.csv' || ext === '.parquet') {
    return ext.slice(1) as 'xlsx' | 'csv' | 'parquet';
  }
  throw new InputError(
    `Failed to ingest ${input}: unsupported file type '${ext || '(none)'}' (expected .xlsx, .csv or .parquet)`,
  );
}

async function readCacheEntry(meta: string, parquet: string): Promise<CacheEntry | undefined> {
  try {
    await stat(parquet);
    return JSON.parse(await readFile(meta, 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
}

interface CleanJob {
  input: string;
  kind: 'xlsx' | 'csv' | 'parquet';
  sql: string[];
  cacheDir: string;
  onProgress: IngestOptions['onProgress'];
}

/** Parse, validate and clean the input into the parquet file `target`. */
async function cleanInto(target: string, job: CleanJob): Promise<CacheEntry> {
  let source = job.input;
  let kind: SourceKind = job.kind === 'xlsx' ? 'canonical-csv' : job.kind;
  let tempCsv: string | undefined;
  try {
    if (job.kind === 'xlsx') {
      tempCsv = join(job.cacheDir, `.xlsx-${process.pid}-${randomBytes(4).toString('hex')}.csv`);
      // Loaded only for a workbook: a cached or parquet/CSV input skips its nine modules.
      const { convertXlsxToCsv } = await import('./xlsx/xlsx-to-csv.js');
      await convertXlsxToCsv(job.input, tempCsv, (done, total) =>
        job.onProgress?.({ phase: 'read', done, total }),
      );
      source = tempCsv;
      kind = 'canonical-csv';
    }
    return await withConnection(async (connection) => {
      const raw = await describeRawSource(connection, source, kind);
      const [typedSql, badCellsSql, cleanSql] = job.sql;
      const ctes = `WITH raw_transactions AS (${raw.sql}), typed_transactions AS (${typedSql})`;
      job.onProgress?.({ phase: 'validate' });
      await rejectBadCells(connection, `${ctes} SELECT * FROM (${badCellsSql})`, source, job.input);
      job.onProgress?.({ phase: 'clean' });
      await runSql(
        connection,
        `COPY (${ctes} ${cleanSql}) TO $target (${PARQUET_FORMAT}, ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`,
        { input: source, target },
        job.input,
      );
      const stats = await connection.runAndReadAll(
        `SELECT count(*)::DOUBLE, count(DISTINCT customer_id)::DOUBLE,
                strftime(min(invoice_date), '%Y-%m-%d %H:%M:%S'),
                strftime(max(invoice_date), '%Y-%m-%d %H:%M:%S')
         FROM read_parquet($target)`,
        { target },
      );
      const [rows, customers, minDate, maxDate] = stats.getRows()[0]!;
      if (rows === 0) {
        const read = await connection.runAndReadAll(`SELECT count(*)::DOUBLE FROM (${raw.sql})`, {
          input: source,
        });
        throw new InputError(
          `Failed to ingest ${job.input}: no rows left after cleaning (${read.getRows()[0]![0]} rows read, none with a customer id)`,
        );
      }
      return {
        rows: Number(rows),
        customers: Number(customers),
        minInvoiceDate: String(minDate),
        maxInvoiceDate: String(maxDate),
      };
    });
  } finally {
    if (tempCsv) await rm(tempCsv, { force: true });
  }
}

async function runSql(
  connection: DuckDBConnection,
  sql: string,
  values: Record<string, string>,
  input: string,
): Promise<void> {
  try {
    await connection.run(sql, values);
  } catch (error) {
    throw new InputError(`Failed to ingest ${input}: ${errorMessage(error).split('\n')[0]}`, {
      cause: error,
    });
  }
}

const PROBLEM: Record<string, string> = {
  Quantity: 'not a whole number',
  UnitPrice: 'not a number',
  InvoiceDate: 'not a date',
  CustomerID: 'not a whole number',
};

/** The policy of `sql/ingest/bad_cells.sql`: any bad cell rejects the whole file. */
async function rejectBadCells(
  connection: DuckDBConnection,
  sql: string,
  source: string,
  input: string,
): Promise<void> {
  let rows: unknown[][];
  try {
    rows = (await connection.runAndReadAll(sql, { input: source })).getRows();
  } catch (error) {
    throw new InputError(`Failed to ingest ${input}: ${errorMessage(error).split('\n')[0]}`, {
      cause: error,
    });
  }
  if (rows.length === 0) return;
  const total = rows.reduce((sum, row) => sum + Number(row[1]), 0);
  const parts = rows.map(([column, count, first]) => {
    const list = (first as { items: unknown[] }).items.map(String);
    const more = Number(count) > list.length ? ', …' : '';
    return `${column} ${PROBLEM[String(column)] ?? 'unreadable'} in ${count} (rows ${list.join(', ')}${more})`;
  });
  throw new InputError(
    `Failed to ingest ${input}: ${total} bad cell${total === 1 ? '' : 's'}, file rejected: ${parts.join('; ')}`,
  );
}
