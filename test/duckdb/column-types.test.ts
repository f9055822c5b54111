import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNumericType, isTimestampType, valueTypeOf } from '../../src/duckdb/column-types.js';
import { createInstance } from '../../src/duckdb/connection.js';

// The type names as DuckDB itself prints them (DESCRIBE of a real column), not as we spell them.
let instance: Awaited<ReturnType<typeof createInstance>>;
beforeAll(async () => {
  instance = await createInstance({ threads: 1 });
});
afterAll(() => instance?.closeSync());

const EXPRESSIONS: [sql: string, valueType: string | undefined][] = [
  ['1::TINYINT', 'int64'],
  ['1::SMALLINT', 'int64'],
  ['1::INTEGER', 'int64'],
  ['1::BIGINT', 'int64'],
  ['1::HUGEINT', 'int64'],
  ['1::UTINYINT', 'int64'],
  ['1::USMALLINT', 'int64'],
  ['1::UINTEGER', 'int64'],
  ['1::UBIGINT', 'int64'],
  ['1::UHUGEINT', 'int64'],
  ['1::FLOAT', 'float64'],
  ['1::REAL', 'float64'],
  ['1::DOUBLE', 'float64'],
  ['1::DECIMAL(18,3)', 'float64'],
  ['1.5', 'float64'],
  ["'a'", 'string'],
  ['true', 'bool'],
  ["TIMESTAMP '2011-01-01'", 'timestamp'],
  ["TIMESTAMPTZ '2011-01-01 00:00:00+00'", 'timestamp'],
  ["TIMESTAMP_NS '2011-01-01'", 'timestamp'],
  ["DATE '2011-01-01'", 'timestamp'],
  ["TIME '10:00'", undefined],
  ["'x'::BLOB", undefined],
  ['[1, 2]', undefined],
  ["{'a': 1}", undefined],
  ['INTERVAL 1 DAY', undefined],
  ["'2011-01-01'::TIMESTAMP_S", 'timestamp'],
  ["'2011-01-01'::TIMESTAMP_MS", 'timestamp'],
  ["'10:00+00'::TIMETZ", undefined],
];

describe('DuckDB column types', () => {
  it('map the types DuckDB prints to value types, and say which are numeric', async () => {
    const connection = await instance.connect();
    try {
      const select = EXPRESSIONS.map(([sql], i) => `${sql} AS c${i}`).join(', ');
      const result = await connection.runAndReadAll(`DESCRIBE SELECT ${select}`);
      const printed = result.getRowObjectsJS().map((r) => String(r['column_type']));
      expect(printed).toHaveLength(EXPRESSIONS.length);
      printed.forEach((type, i) => {
        const expected = EXPRESSIONS[i]![1];
        expect([type, valueTypeOf(type)]).toEqual([type, expected]);
        expect([type, isNumericType(type)]).toEqual([
          type,
          expected === 'int64' || expected === 'float64' || expected === 'bool',
        ]);
        expect([type, isTimestampType(type)]).toEqual([type, expected === 'timestamp']);
      });
    } finally {
      connection.closeSync();
    }
  });

  it('take value types and any case', () => {
    expect(['int64', 'float64', 'bool', 'string', 'timestamp'].map(isNumericType)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(valueTypeOf('bigint')).toBe('int64');
    expect(valueTypeOf('decimal(4,1)')).toBe('float64');
    expect(valueTypeOf('INT64')).toBeUndefined();
  });
});
