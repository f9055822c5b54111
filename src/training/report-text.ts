/**
 * A classification report laid out exactly like scikit-learn's `classification_report`
 * (two decimals): per-class precision, recall, F1 and support, then accuracy, macro and
 * weighted averages.
 *
 * @example console.log(classificationReport([0, 1, 1, 0], [0, 1, 0, 0]));
 */
export function classificationReport(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  classNames: [string, string] = ['0', '1'],
  digits = 2,
): string {
  const counts = [
    [0, 0],
    [0, 0],
  ] as [[number, number], [number, number]]; // [actual][predicted]
  for (let i = 0; i < labels.length; i++) {
    counts[labels[i]! > 0 ? 1 : 0][predictions[i]! > 0.5 ? 1 : 0]++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const rows = [0, 1].map((c) => {
    const other = 1 - c;
    const tp = counts[c as 0 | 1][c as 0 | 1];
    const fp = counts[other as 0 | 1][c as 0 | 1];
    const fn = counts[c as 0 | 1][other as 0 | 1];
    const p = ratio(tp, tp + fp);
    const r = ratio(tp, tp + fn);
    return { p, r, f: ratio(2 * p * r, p + r), support: tp + fn };
  });
  const total = labels.length;
  const width = Math.max(...classNames.map((n) => n.length), 'weighted avg'.length, digits);
  const name = (s: string) => s.padStart(width);
  const num = (x: number) => x.toFixed(digits).padStart(9);
  const cell = (s: string | number) => String(s).padStart(9);
  let out = `${name('')} ${['precision', 'recall', 'f1-score', 'support'].map((h) => ` ${cell(h)}`).join('')}\n\n`;
  rows.forEach((row, c) => {
    out += `${name(classNames[c]!)}  ${num(row.p)} ${num(row.r)} ${num(row.f)} ${cell(row.support)}\n`;
  });
  out += '\n';
  const acc = ratio(counts[0][0] + counts[1][1], total);
  out += `${name('accuracy')}  ${cell('')} ${cell('')} ${num(acc)} ${cell(total)}\n`;
  const avg = (key: 'p' | 'r' | 'f', weighted: boolean) =>
    weighted
      ? ratio(rows[0]![key] * rows[0]!.support + rows[1]![key] * rows[1]!.support, total)
      : (rows[0]![key] + rows[1]![key]) / 2;
  for (const [label, weighted] of [
    ['macro avg', false],
    ['weighted avg', true],
  ] as const) {
    out += `${name(label)}  ${num(avg('p', weighted))} ${num(avg('r', weighted))} ${num(avg('f', weighted))} ${cell(total)}\n`;
  }
  return out;
}
