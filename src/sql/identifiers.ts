/**
 * The one place identifiers enter SQL text. Values never do: they are bound as
 * parameters (`$name`).
 */

/** Quote a SQL identifier, doubling embedded quotes: `a"b` → `"a""b"`. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new Error('Failed to quote identifier: empty name');
  if (name.includes('\0')) throw new Error('Failed to quote identifier: NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quote a dotted name part by part: `["t", "c"]` → `"t"."c"`. */
export function quoteQualified(...parts: string[]): string {
  return parts.map(quoteIdentifier).join('.');
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a name is a plain SQL name (letters, digits, underscore; not starting with a digit). */
export function isPlainName(name: string): boolean {
  return NAME.test(name);
}
