import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors.js';
import { formatTimestamp, MICROS_PER_DAY, parseTimestamp } from './timestamps.js';

/** The windows and step of a run (days). Defaults: DESIGN.md's 90 / 30 / 30. */
export interface WindowOptions {
  /** Feature window length: W = [C − featureWindowDays, C). Also the first cutoff's offset. */
  featureWindowDays?: number;
  /** Label window length: [C, C + labelWindowDays). The last cutoff leaves room for it. */
  labelWindowDays?: number;
  /** Days between consecutive cutoffs. */
  stepDays?: number;
}

export const DEFAULT_WINDOWS: Required<WindowOptions> = {
  featureWindowDays: 90,
  labelWindowDays: 30,
  stepDays: 30,
};

/**
 * Rolling cutoffs: the first is `min + featureWindowDays`, then every `stepDays` while
 * `cutoff <= max − labelWindowDays`. Times of day are kept. Timestamps are naive
 * `'YYYY-MM-DD HH:MM:SS'` strings.
 *
 * @example
 * computeCutoffs('2010-12-01 08:26:00', '2011-12-09 12:50:00');
 * // ['2011-03-01 08:26:00', '2011-03-31 08:26:00', …, '2011-10-27 08:26:00'] (9 cutoffs)
 */
export function computeCutoffs(min: string, max: string, windows: WindowOptions = {}): string[] {
  const { featureWindowDays, labelWindowDays, stepDays } = { ...DEFAULT_WINDOWS, ...windows };
  for (const [name, value] of Object.entries({ featureWindowDays, labelWindowDays, stepDays })) {
    // A 0-day feature window has no population and a 0-day label window no buyers.
    if (!Number.isInteger(value) || value < 1) {
      throw new InputError(`Failed to compute cutoffs: ${name} must be a positive integer`);
    }
  }
  const lo = parseTimestamp(min);
  const hi = parseTimestamp(max);
  if (lo === undefined || hi === undefined) {
    throw new InputError(`Failed to compute cutoffs: bad range ${min} … ${max}`);
  }
  const last = hi - BigInt(labelWindowDays) * MICROS_PER_DAY;
  const cutoffs: string[] = [];
  for (
    let c = lo + BigInt(featureWindowDays) * MICROS_PER_DAY;
    c <= last;
    c += BigInt(stepDays) * MICROS_PER_DAY
  ) {
    cutoffs.push(formatTimestamp(c));
  }
  return cutoffs;
}

/** min and max `invoice_date` of a cleaned transactions parquet. */
export async function readDateRange(
  connection: DuckDBConnection,
  transactions: string,
): Promise<{ min: string; max: string; rows: number }> {
  const result = await connection.runAndReadAll(
    `SELECT strftime(min(invoice_date), '%Y-%m-%d %H:%M:%S.%f') AS lo,
            strftime(max(invoice_date), '%Y-%m-%d %H:%M:%S.%f') AS hi,
            count(*)::DOUBLE AS n
     FROM read_parquet($transactions)`,
    { transactions },
  );
  const row = result.getRowObjectsJson()[0]!;
  if (row['lo'] === null || row['hi'] === null) {
    throw new InputError(`Failed to compute cutoffs: ${transactions} has no transactions`);
  }
  return {
    min: formatTimestamp(parseTimestamp(String(row['lo']))!),
    max: formatTimestamp(parseTimestamp(String(row['hi']))!),
    rows: Number(row['n']),
  };
}
