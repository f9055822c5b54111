import type { ValueType } from '../definitions/types.js';
import { timestampExpression } from './timestamps.js';

/** The DuckDB type a declared value type comes out as. */
export const DUCKDB_TYPE: Readonly<Record<ValueType, string>> = {
  int64: 'BIGINT',
  float64: 'DOUBLE',
  string: 'VARCHAR',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

/**
 * `expr` (a column of DuckDB type `sourceType`) as its declared type: unchanged when the
 * types already agree or the source type is unknown, else cast (a declared `float64` read
 * from a BIGINT column comes out DOUBLE; a `timestamp` from TIMESTAMPTZ comes out UTC).
 *
 * @example declaredValue('v1."n"', 'float64', 'BIGINT') // 'CAST(v1."n" AS DOUBLE)'
 */
export function declaredValue(expr: string, declared: ValueType, sourceType?: string): string {
  if (sourceType === undefined) return expr;
  const target = DUCKDB_TYPE[declared];
  if (sourceType.trim().toUpperCase() === target) return expr;
  if (declared === 'timestamp') return timestampExpression(expr, sourceType);
  return `CAST(${expr} AS ${target})`;
}
