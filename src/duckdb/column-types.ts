import type { ValueType } from '../definitions/types.js';

/** A column name and its DuckDB type, as DuckDB prints it (`BIGINT`, `TIMESTAMP WITH TIME ZONE`). */
export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

const INTEGER = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$/;
const FLOAT = /^(FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/;

/**
 * The value type a DuckDB type holds (as DuckDB prints it, any case), or `undefined` when
 * no value type does (lists, structs, BLOB, TIME, …).
 *
 * @example valueTypeOf('DECIMAL(18,3)') // 'float64'
 */
export function valueTypeOf(duckdbType: string): ValueType | undefined {
  const type = duckdbType.trim().toUpperCase();
  if (INTEGER.test(type)) return 'int64';
  if (FLOAT.test(type)) return 'float64';
  if (type === 'VARCHAR') return 'string';
  if (type === 'BOOLEAN') return 'bool';
  if (type.startsWith('TIMESTAMP') || type === 'DATE') return 'timestamp';
  return undefined;
}

/**
 * Whether a column of this DuckDB type holds timestamps (any precision, with or without a
 * time zone, or DATE); naive ones are taken as UTC.
 *
 * @example isTimestampType('TIMESTAMP WITH TIME ZONE') // true
 */
export function isTimestampType(duckdbType: string): boolean {
  return valueTypeOf(duckdbType) === 'timestamp';
}

/**
 * Whether a column of this type reads as a number (a model feature, a `Float64Array` column):
 * integers, floats, decimals and BOOLEAN (0/1). Takes a DuckDB type or a value type
 * (`int64`, `float64`, `bool`), since retrieval's output columns carry either.
 *
 * @example isNumericType('BIGINT') && isNumericType('float64') && !isNumericType('VARCHAR')
 */
export function isNumericType(type: string): boolean {
  const valueType =
    type === 'int64' || type === 'float64' || type === 'bool' ? type : valueTypeOf(type);
  return valueType === 'int64' || valueType === 'float64' || valueType === 'bool';
}
