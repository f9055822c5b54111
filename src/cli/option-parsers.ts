import { InvalidArgumentError } from 'commander';

/** Commander parser for options that take a whole number >= 1 (`--workers 2`). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
