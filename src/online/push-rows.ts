import type { ResolvedFeatureView, ValueType } from '../definitions/types.js';
import { InputError } from '../errors.js';
import { encodeEntityKey, keyText } from './entity-keys.js';
import type { OnlineRow, StoredValue } from './online-store.js';
import type { EntityKeyValue } from './types.js';
import { microsFromTimestamp } from './value-types.js';

/**
 * Rows given to `pushOnline` as the store's rows: keys checked and encoded, the timestamp
 * (the view's timestamp field, or `event_timestamp`) in microseconds, values checked against
 * the features' types; of rows with the same key, the one with the newest timestamp.
 */
export function pushRows(
  view: ResolvedFeatureView,
  rows: readonly Readonly<Record<string, unknown>>[],
  keyTypes: ReadonlyMap<string, ValueType>,
): OnlineRow[] {
  const tsField = view.source.timestampField;
  const latest = new Map<string, OnlineRow>();
  rows.forEach((row, index) => {
    const at = `row ${index + 1}`;
    if (row === null || typeof row !== 'object') {
      throw new InputError(`Failed to push rows to "${view.name}": ${at} is not an object`);
    }
    const parts = view.joinKeys.map((key) => {
      const value = row[key];
      if (value === undefined || value === null) {
        throw new InputError(
          `Failed to push rows to "${view.name}": ${at} has no join key "${key}"`,
        );
      }
      return keyText(key, value as EntityKeyValue, keyTypes.get(key), index);
    });
    const ts = row[tsField] ?? row['event_timestamp'];
    if (typeof ts !== 'string' && !(ts instanceof Date)) {
      throw new InputError(
        `Failed to push rows to "${view.name}": ${at} has no timestamp "${tsField}" (a timestamp text)`,
      );
    }
    const us = microsFromTimestamp(ts);
    if (!Number.isFinite(us)) {
      throw new InputError(
        `Failed to push rows to "${view.name}": ${at} has an invalid timestamp ${JSON.stringify(ts)}`,
      );
    }
    const values = view.features.map((feature): StoredValue => {
      const value = row[feature.name];
      if (value === undefined || value === null) return null;
      const wrong = () =>
        new InputError(
          `Failed to push rows to "${view.name}": ${at} has ${JSON.stringify(value)} for ${feature.type} feature "${feature.name}"`,
        );
      switch (feature.type) {
        case 'int64':
          if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
          throw wrong();
        case 'float64':
          if (typeof value === 'number') return value;
          throw wrong();
        case 'string':
          if (typeof value === 'string') return value;
          throw wrong();
        case 'bool':
          if (typeof value === 'boolean') return value;
          throw wrong();
        case 'timestamp': {
          if (typeof value !== 'string' && !(value instanceof Date)) throw wrong();
          const micros = microsFromTimestamp(value);
          if (!Number.isFinite(micros)) throw wrong();
          return micros;
        }
        default:
          throw wrong();
      }
    });
    const key = encodeEntityKey(parts);
    const earlier = latest.get(key);
    if (!earlier || earlier.eventTimestampUs <= us) {
      latest.set(key, { key, eventTimestampUs: us, values });
    }
  });
  return [...latest.values()];
}
