import type { ValueType } from '../definitions/types.js';
import type { StoredValue } from './online-store.js';
import type { OnlineValue } from './types.js';

// The last conversion: rows materialized by one run mostly share their timestamp.
let lastUs = Number.NaN;
let lastIso = '';

/** Microseconds since the epoch → ISO 8601 UTC text, fractional digits only when needed. */
export function isoFromMicros(us: number): string {
  if (us === lastUs) return lastIso;
  const iso = formatMicros(us);
  lastUs = us;
  lastIso = iso;
  return iso;
}

function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const rest = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(0, 19);
  const millis = iso.slice(20, 23);
  if (rest === 0 && millis === '000') return `${seconds}Z`;
  const fraction = `${millis}${String(rest).padStart(3, '0')}`.replace(/0+$/, '');
  return `${seconds}.${fraction}Z`;
}

/** A timestamp (naive text = UTC, text with a zone, or a Date) → microseconds since the epoch. */
export function microsFromTimestamp(value: string | Date): number {
  if (value instanceof Date) return value.getTime() * 1000;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(value.trim());
  if (match) {
    const ms = Date.parse(`${match[1]}T${match[2]}Z`);
    return ms * 1000 + Number((match[3] ?? '').padEnd(6, '0'));
  }
  return Date.parse(value.trim()) * 1000;
}

/** A stored value as a response gives it (timestamps as ISO text). */
export function outputValue(value: StoredValue, type: ValueType): OnlineValue {
  if (value === null) return null;
  if (type === 'timestamp' && typeof value === 'number') return isoFromMicros(value);
  return value;
}

/**
 * An int64 as read from DuckDB (bigint) → a number when exact, else its digits (so that no
 * value is silently rounded).
 */
export function int64Value(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}
