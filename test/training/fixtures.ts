/** A deterministic synthetic binary data set: mixed scales, ties, zeros and NaN. */
export function syntheticData(numRows: number, seed = 1) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const features = Array.from({ length: 5 }, () => new Float64Array(numRows));
  const label = new Uint8Array(numRows);
  for (let i = 0; i < numRows; i++) {
    const a = rnd() * 4 - 2;
    const b = rnd() < 0.1 ? Number.NaN : rnd() * 2 - 1;
    const c = Math.round(rnd() * 6);
    const d = rnd() < 0.3 ? 0 : rnd() * 10 - 5;
    const e = Math.exp(rnd() * 4);
    features[0]![i] = a;
    features[1]![i] = b;
    features[2]![i] = c;
    features[3]![i] = d;
    features[4]![i] = e;
    const z = 1.2 * a + (Number.isNaN(b) ? 0.8 : b) + 0.3 * (c - 3) + 0.1 * d + rnd() * 2 - 1;
    label[i] = z > 0.3 ? 1 : 0;
  }
  return { features, label, featureNames: ['a', 'b', 'c', 'd', 'e'] };
}

export function sliceRows(columns: Float64Array[], start: number, end: number) {
  return columns.map((c) => c.slice(start, end));
}
