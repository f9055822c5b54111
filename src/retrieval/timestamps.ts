import { type ColumnInfo, isTimestampType } from '../duckdb/column-types.js';
import { InputError } from '../errors.js';

/**
 * `expr` as a naive UTC `TIMESTAMP`: time-zone-aware values are converted to UTC, dates
 * and other precisions are cast; plain `TIMESTAMP` (or an unknown type) is left alone.
 */
export function timestampExpression(expr: string, type: string | undefined): string {
  if (type === undefined || /^TIMESTAMP$/i.test(type)) return expr;
  if (/^(TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ)$/i.test(type)) return `timezone('UTC', ${expr})`;
  return `CAST(${expr} AS TIMESTAMP)`;
}

/**
 * The entity rows' event timestamp column: `event_timestamp`, or else the only column of a
 * timestamp type. Throws an {@link InputError} naming the columns when there is none, more
 * than one, or `event_timestamp` is not a timestamp.
 */
export function entityTimestampColumn(columns: readonly ColumnInfo[]): ColumnInfo {
  const named = columns.find((c) => c.name === 'event_timestamp');
  if (named) {
    if (!isTimestampType(named.type)) {
      throw new InputError(
        `Failed to compile retrieval: the entity column "event_timestamp" has type ${named.type}; it must be a TIMESTAMP (or TIMESTAMPTZ, DATE)`,
      );
    }
    return named;
  }
  const candidates = columns.filter((c) => isTimestampType(c.type));
  if (candidates.length === 1) return candidates[0]!;
  const list = columns.map((c) => `${c.name} ${c.type}`).join(', ');
  throw new InputError(
    candidates.length === 0
      ? `Failed to compile retrieval: the entity rows have no event_timestamp column and no other timestamp column (columns: ${list})`
      : `Failed to compile retrieval: the entity rows have no event_timestamp column and ${candidates.length} timestamp columns (${candidates.map((c) => c.name).join(', ')}); name the one to use event_timestamp`,
  );
}
