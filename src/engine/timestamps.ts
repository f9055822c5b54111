/**
 * Naive (UTC) timestamps as microseconds since the epoch, the way DuckDB stores TIMESTAMP.
 * Tasks carry cutoffs as ISO strings (serializable); arithmetic happens on microseconds so
 * no precision is lost to JS `Date`.
 */

/** Microseconds in a day. */
export const MICROS_PER_DAY = 86_400_000_000n;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;

/** `'2011-03-01 08:26:00'` (or with `T`, fractional seconds, no time) → microseconds. */
export function parseTimestamp(text: string): bigint | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = m;
  // Date.UTC would roll '08:75' over to 09:15 and read year 0050 as 1950: refuse instead.
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return BigInt(date.getTime()) * 1000n + BigInt(frac.padEnd(6, '0') || '0');
}

/** Microseconds → `'2011-03-01 08:26:00'` (fraction only when non-zero), as DuckDB prints. */
export function formatTimestamp(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString();
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return frac === 0n ? base : `${base}.${frac.toString().padStart(6, '0').replace(/0+$/, '')}`;
}

/** A file-name-safe stamp of a timestamp: `20110301T082600`. */
export function timestampStamp(text: string): string {
  return text.replace(/[-:]/g, '').replace(' ', 'T').replace('.', '_');
}
