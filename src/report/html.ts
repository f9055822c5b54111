/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** A metric to four decimals; an em dash when missing (JSON turns NaN into null). */
export function formatMetric(value: unknown): string {
  return isNumber(value) ? value.toFixed(4) : '—';
}

/** A rate as a percentage with one decimal. */
export function formatRate(value: unknown): string {
  return isNumber(value) ? `${(value * 100).toFixed(1)}%` : '—';
}

/** A count with thousands separators. */
export function formatCount(value: unknown): string {
  return isNumber(value) ? value.toLocaleString('en-US') : '—';
}

/** A parameter value: primitives as they are, everything else as compact JSON. */
export function formatParam(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
}
