import type { OnDemandFeatureViewDefinition, ValueType } from '../definitions/types.js';
import { InputError } from '../errors.js';
import type { StoredValue } from './online-store.js';
import type { OnlineValue } from './types.js';
import { int64Value, isoFromMicros, microsFromTimestamp } from './value-types.js';

/**
 * The inputs and outputs of on-demand views served online: request columns checked against
 * their declared types, stored values turned into what the evaluator loads (the same DuckDB
 * types the offline SQL reads), and its results turned into response values.
 */

const INTEGER = /^-?\d+$/;

/** The request columns the on-demand views read, by name, with each one's declared type. */
export function requestColumnsOf(
  views: readonly OnDemandFeatureViewDefinition[],
): Map<string, { type: ValueType; views: string[] }> {
  const columns = new Map<string, { type: ValueType; views: string[] }>();
  for (const view of views) {
    for (const column of view.requestSchema) {
      const known = columns.get(column.name);
      if (known && known.type !== column.type) {
        throw new InputError(
          `Failed to read online features: request column "${column.name}" is ${known.type} in on-demand view "${known.views[0]}" but ${column.type} in "${view.name}"; request them separately`,
        );
      }
      if (known) known.views.push(view.name);
      else columns.set(column.name, { type: column.type, views: [view.name] });
    }
  }
  return columns;
}

/**
 * One request value as the evaluator loads it, checked against the column's type: int64
 * takes an integer (number, bigint or string of digits), float64 a number, string a string,
 * bool a boolean, timestamp ISO 8601 text (naive = UTC); null is NULL.
 */
export function requestValue(
  column: string,
  type: ValueType,
  value: unknown,
  row: number,
): unknown {
  if (value === null || value === undefined) return null;
  const wrong = (expected: string) =>
    new InputError(
      `Failed to read request data: column "${column}" is ${type}, but value ${row + 1} is ${JSON.stringify(value) ?? typeof value} (expected ${expected})`,
    );
  switch (type) {
    case 'int64':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      if (typeof value === 'string' && INTEGER.test(value.trim())) return BigInt(value.trim());
      throw wrong('an integer');
    case 'float64':
      if (typeof value === 'number') return value;
      throw wrong('a number');
    case 'string':
      if (typeof value === 'string') return value;
      throw wrong('a string');
    case 'bool':
      if (typeof value === 'boolean') return value;
      throw wrong('true or false');
    case 'timestamp': {
      const us =
        typeof value === 'string' || value instanceof Date ? microsFromTimestamp(value) : NaN;
      if (!Number.isFinite(us)) throw wrong('a timestamp (ISO 8601 text)');
      return { micros: BigInt(us) };
    }
  }
}

/** A stored feature value as the evaluator loads it (timestamps are stored as microseconds). */
export function storedInput(value: StoredValue, type: ValueType): unknown {
  if (value === null) return null;
  if (type === 'timestamp' && typeof value === 'number') return { micros: BigInt(value) };
  return value;
}

/**
 * An evaluated value as the response gives it, as a stored value of the same type would be:
 * int64 as a number (digits beyond ±2^53), timestamps as ISO 8601 UTC, NaN as null.
 */
export function evaluatedValue(value: unknown): OnlineValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return int64Value(value);
  if (value instanceof Date) return isoFromMicros(value.getTime() * 1000);
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  return value as OnlineValue;
}
