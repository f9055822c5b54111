import { InputError } from '../errors.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
type Unit = keyof typeof UNIT_SECONDS;
const SECONDS = /^\d+$/;
const PARTS = /^(\d+[smhdw])+$/;
const PART = /(\d+)([smhdw])/g;

/**
 * Seconds in a duration: the one grammar of every duration duckfeat reads (a view's `ttl`,
 * a retrieval's `ttlOverride`, the CLI's `--ttl VIEW=D`).
 *
 * ```text
 * duration := seconds | part part*
 * seconds  := a whole number >= 0: a JS number, or digits ('0', '3600')
 * part     := digits unit            unit := s | m | h | d | w  (lower case)
 * ```
 *
 * Parts add up (`'1d12h'` = 129600); spaces around the text are ignored, inside it refused.
 * What 0 means (an unbounded TTL) is up to the caller. Throws an {@link InputError}
 * `Failed to parse <what>: …` otherwise (months and years are refused: they have no fixed
 * length).
 *
 * @example parseDuration('90d') // 7776000
 * @example parseDuration('1d12h', 'the TTL override of customer_rfm') // 129600
 */
export function parseDuration(value: number | string, what = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (SECONDS.test(text)) return checkSafe(Number(text), value, what);
    if (PARTS.test(text)) {
      let seconds = 0;
      // PARTS matched: every part is digits and one of the units.
      for (const part of text.matchAll(PART)) {
        seconds += Number(part[1]) * UNIT_SECONDS[part[2] as Unit];
      }
      return checkSafe(seconds, value, what);
    }
  }
  return fail(value, what);
}

function checkSafe(seconds: number, value: unknown, what: string): number {
  return Number.isSafeInteger(seconds) ? seconds : fail(value, what);
}

function fail(value: unknown, what: string): never {
  throw new InputError(
    `Failed to parse ${what}: ${JSON.stringify(value) ?? String(value)} is not a duration ` +
      "(a whole number of seconds >= 0, or parts like '90d', '12h', '1d12h' in s, m, h, d, w)",
  );
}
