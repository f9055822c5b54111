import type { EntityDefinition, ValueType } from '../definitions/types.js';
import { InputError } from '../errors.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
import type { EntityKeyValue } from './types.js';

/**
 * Entity keys as one text per entity: a single key column is its value as text (an int64
 * as its decimal digits), a composite key its parts joined by U+001F, each part with `\`
 * and U+001F escaped, so that the text is unique per key. The same text comes from DuckDB
 * at materialize ({@link entityKeySql}) and from a request ({@link encodeEntityKey}).
 */
const SEPARATOR = '\u001f';

/** The SQL expression giving the encoded key of a row from its key expressions. */
export function entityKeySql(keys: readonly string[]): string {
  const text = (expr: string) => `CAST(${expr} AS VARCHAR)`;
  if (keys.length === 1) return text(keys[0]!);
  const escaped = keys.map(
    (expr) => `replace(replace(${text(expr)}, '\\', '\\\\'), chr(31), '\\u')`,
  );
  return `concat_ws(chr(31), ${escaped.join(', ')})`;
}

/** The encoded key of one entity from its key parts as text (see {@link entityKeySql}). */
export function encodeEntityKey(parts: readonly string[]): string {
  if (parts.length === 1) return parts[0]!;
  return parts
    .map((part) => part.replaceAll('\\', '\\\\').replaceAll(SEPARATOR, '\\u'))
    .join(SEPARATOR);
}

/** The key columns' value types, from the entities that declare them (unknown: not checked). */
export function joinKeyTypes(entities: readonly EntityDefinition[]): Map<string, ValueType> {
  const types = new Map<string, ValueType>();
  for (const entity of entities) {
    for (const key of entity.joinKeys) types.set(key, entity.valueType);
  }
  return types;
}

const INTEGER = /^-?\d+$/;

/**
 * One request key value as the text stored for it, checked against the key's type: an int64
 * key takes an integer (number, bigint, or a string of digits), a string key a string.
 */
export function keyText(
  key: string,
  value: EntityKeyValue,
  type: ValueType | undefined,
  row: number,
): string {
  const wrong = (expected: string) =>
    new InputError(
      `Failed to read entities: join key "${key}" is ${type}, but value ${row + 1} is ${describe(value)} (expected ${expected})`,
    );
  switch (type) {
    case 'int64':
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) throw wrong('an integer');
        return String(value);
      }
      if (typeof value === 'string' && INTEGER.test(value.trim())) {
        return BigInt(value.trim()).toString();
      }
      throw wrong('an integer');
    case 'string':
      if (typeof value !== 'string') throw wrong('a string');
      return value;
    case 'bool':
      if (typeof value === 'boolean') return String(value);
      throw wrong('true or false');
    default:
      if (value === null || value === undefined || typeof value === 'object') {
        throw wrong('a value');
      }
      return String(value);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}

/** For error messages: a quoted key list. */
export function keyList(keys: readonly string[]): string {
  return keys.map((k) => q(k)).join(', ');
}
