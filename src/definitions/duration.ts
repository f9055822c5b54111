import { DefinitionError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const DURATION = /^(\d+)\s*([smhdw])$/;

/**
 * A TTL in whole seconds from a number of seconds or a duration string (`'0s'`, `'90d'`,
 * `'12h'`, `'30m'`, `'2w'`). 0 means unbounded.
 *
 * @example parseDuration('90d') // 7776000
 */
export function parseDuration(value: number | string, what = 'ttl'): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    if (match) return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  }
  throw new DefinitionError(
    `Failed to parse ${what}: ${JSON.stringify(value)} is not a whole number of seconds >= 0 ` +
      "or a duration like '0s', '12h', '90d'",
  );
}
