import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/definitions/duration.js';
import { InputError } from '../../src/errors.js';

const UNITS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

describe('parseDuration', () => {
  it('reads seconds, one part, or parts that add up', () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(3600)).toBe(3600);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('3600')).toBe(3600);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('12h')).toBe(43_200);
    expect(parseDuration('90d')).toBe(90 * 86_400);
    expect(parseDuration('2w')).toBe(14 * 86_400);
    expect(parseDuration('1d12h')).toBe(129_600);
    expect(parseDuration('1w1d1h1m1s')).toBe(694_861);
    expect(parseDuration(' 90d ')).toBe(90 * 86_400);
  });

  it('refuses anything else, naming what it parsed', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => parseDuration(bad)).toThrow(InputError);
    }
    for (const bad of [
      '',
      'd',
      '-3d',
      '1.5h',
      '5 days',
      '1d 12h',
      '1y',
      '1M',
      '12H',
      'd1',
      '1e3',
    ]) {
      expect(() => parseDuration(bad, 'ttl of feature view "v"')).toThrow(
        `Failed to parse ttl of feature view "v": ${JSON.stringify(bad)} is not a duration`,
      );
    }
    expect(() => parseDuration('9'.repeat(20))).toThrow(/is not a duration/);
  });

  it('adds up the parts of any composed duration', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...Object.keys(UNITS))), {
          minLength: 1,
          maxLength: 6,
        }),
        (parts) => {
          const text = parts.map(([n, unit]) => `${n}${unit}`).join('');
          const seconds = parts.reduce(
            (sum, [n, unit]) => sum + n * UNITS[unit as keyof typeof UNITS],
            0,
          );
          return parseDuration(text) === seconds && parseDuration(String(seconds)) === seconds;
        },
      ),
    );
  });
});
