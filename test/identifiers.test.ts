import { describe, expect, it } from 'vitest';
import { quoteIdentifier, quoteQualified } from '../src/sql/identifiers.js';

describe('quoteIdentifier', () => {
  it('quotes and doubles embedded quotes', () => {
    expect(quoteIdentifier('customer_id')).toBe('"customer_id"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteQualified('t', 'x"y')).toBe('"t"."x""y"');
  });
  it('refuses empty names and NUL', () => {
    expect(() => quoteIdentifier('')).toThrow(/empty/);
    expect(() => quoteIdentifier('a\0b')).toThrow(/NUL/);
  });
});
