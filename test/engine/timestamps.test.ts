import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from '../../src/engine/timestamps.js';

describe('parseTimestamp', () => {
  it('reads naive timestamps to microseconds, as DuckDB stores them', () => {
    // 2011-03-01 08:26:00 UTC is 1298967960 s after the epoch (date -u -d … +%s).
    expect(parseTimestamp('2011-03-01 08:26:00')).toBe(1_298_967_960_000_000n);
    expect(parseTimestamp('2011-03-01T08:26:00.5')).toBe(1_298_967_960_500_000n);
    expect(parseTimestamp('2011-03-01')).toBe(1_298_937_600_000_000n);
  });

  it('refuses out-of-range fields instead of rolling them over', () => {
    for (const text of [
      '2011-03-01 08:75:00',
      '2011-03-01 08:26:61',
      '2011-03-01 24:00:00',
      '2011-02-29 00:00:00',
      '2011-13-01 00:00:00',
    ]) {
      expect(parseTimestamp(text), text).toBeUndefined();
    }
  });

  it('keeps years below 100 as written', () => {
    expect(formatTimestamp(parseTimestamp('0050-06-01 12:00:00')!)).toBe('0050-06-01 12:00:00');
  });
});
