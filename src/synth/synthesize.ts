import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import { withConnection } from '../duckdb/connection.js';
import { PARQUET_FORMAT } from '../duckdb/parquet.js';
import { errorMessage, InputError } from '../errors.js';
import { writeAtomically } from '../util/atomic-file.js';

export interface SynthesizeOptions {
  paths: ProjectPaths;
  /** Identified customers (a third as many anonymous buyers are added); default 4,000. */
  customers?: number | undefined;
  /** PRNG seed; the same seed gives a byte-identical file. Default 42. */
  seed?: number | undefined;
  /** Output parquet; default `paths.syntheticInput`. */
  out?: string | undefined;
}

export interface SynthesizeResult {
  path: string;
  rows: number;
  customers: number;
  seed: number;
}

const SQL_DIR = new URL('../../sql/synth/', import.meta.url);
/** The first day of data (the real data's); the number of days is in the SQL (373). */
const START = '2010-12-01 00:00:00';

/**
 * Generate Online-Retail-shaped raw transactions (UCI columns, CustomerID DOUBLE with NULLs)
 * with `sql/synth/synthetic_retail.sql`, written as parquet atomically.
 *
 * @example
 * const { rows } = await synthesize({ paths: projectPaths(), customers: 4000, seed: 42 });
 */
export async function synthesize(options: SynthesizeOptions): Promise<SynthesizeResult> {
  const customers = options.customers ?? 4000;
  const seed = options.seed ?? 42;
  if (!Number.isInteger(customers) || customers < 1) {
    throw new InputError(
      `Failed to synthesize: customers must be a positive integer, got ${customers}`,
    );
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InputError(`Failed to synthesize: seed must be a non-negative integer, got ${seed}`);
  }
  const out = resolve(options.paths.root, options.out ?? options.paths.syntheticInput);
  const [macros, select] = await Promise.all(
    ['macros.sql', 'synthetic_retail.sql'].map((name) =>
      readFile(new URL(name, SQL_DIR), 'utf8').then((text) => text.trim().replace(/;$/, '')),
    ),
  );
  const rows = await writeAtomically(out, (temp) =>
    withConnection(
      async (connection) => {
        await connection.run(macros!);
        try {
          await connection.run(
            `COPY (${select}) TO $target (${PARQUET_FORMAT}, ROW_GROUP_SIZE 100000)`,
            {
              seed: String(seed),
              customers: String(customers),
              start: START,
              target: temp,
            },
          );
        } catch (error) {
          throw new InputError(`Failed to synthesize: ${errorMessage(error).split('\n')[0]}`, {
            cause: error,
          });
        }
        const count = await connection.runAndReadAll(
          'SELECT count(*)::DOUBLE FROM read_parquet($temp)',
          {
            temp,
          },
        );
        return Number(count.getRows()[0]![0]);
      },
      // One thread: the rows then leave DuckDB in one fixed order with no final sort, so the
      // same seed writes a byte-identical file (measured: 2 threads reorder rows run to run).
      { threads: 1 },
    ),
  );
  return { path: out, rows, customers, seed };
}
