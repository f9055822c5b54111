/**
 * C's `%.<precision>g`, which LightGBM's model writer uses: 17 significant digits for values
 * that must round-trip (`leaf_value`, `threshold`), 6 for informational ones (`split_gain`).
 *
 * @example formatG(1.5000000000000002, 17) // '1.5000000000000002'
 * @example formatG(-5.927873e-5, 6)        // '-5.92787e-05'
 */
export function formatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exponential = x.toExponential(precision - 1);
  const e = exponential.indexOf('e');
  const exponent = Number(exponential.slice(e + 1));
  if (exponent < -4 || exponent >= precision) {
    const mantissa = stripZeros(exponential.slice(0, e));
    const sign = exponent < 0 ? '-' : '+';
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return stripZeros(x.toFixed(Math.max(0, precision - 1 - exponent)));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

const f64 = new Float64Array(1);
// Little-endian words of f64 (x86 and ARM are little-endian): [low, high].
const words = new Uint32Array(f64.buffer);

/** Smallest double greater than `x` (C's `nextafter(x, +inf)`). */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  if (x > 0) {
    words[0] = (words[0]! + 1) >>> 0;
    if (words[0] === 0) words[1]!++;
  } else {
    if (words[0] === 0) words[1]!--;
    words[0] = (words[0]! - 1) >>> 0;
  }
  return f64[0]!;
}
