/**
 * Text width for chart layout without a canvas. Vega measures labels to lay out axes and to
 * truncate long ones; with no canvas it guesses 0.8 em a character, which cuts feature names
 * short and wastes margin. These are Helvetica's advance widths (Arial and Liberation Sans
 * share them), and the charts ask for exactly that font, so the layout matches the page.
 */

/** Helvetica advance widths in 1/1000 em for the characters U+0020 to U+007E. */
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
  556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
  611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
  667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
  222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** Width used for characters outside the table (accents, dashes, CJK): a wide-ish guess. */
const OTHER = 600;
/** Bold Helvetica runs about 7% wider than regular. */
const BOLD = 1.07;

/** The font family the charts use; its metrics are the table above. */
export const CHART_FONT = 'Helvetica, Arial, "Liberation Sans", sans-serif';

/** Width in pixels of `text` set in {@link CHART_FONT} at `fontSize` px. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? HELVETICA[code - 32]! : OTHER;
  }
  return (units / 1000) * fontSize * (bold ? BOLD : 1);
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
}

/** The `textMetrics.width(item, text)` Vega calls, backed by {@link textWidth}. */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const weight = item.fontWeight;
  const bold = weight === 'bold' || (typeof weight === 'number' && weight >= 600);
  const value = text == null ? '' : String(text).trim();
  return textWidth(value, size, bold);
}
