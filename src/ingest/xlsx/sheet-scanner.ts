import type { Readable } from 'node:stream';

/** A cell's `t` attribute. */
export const CellType = {
  number: 0,
  shared: 1,
  formulaString: 2,
  boolean: 3,
  error: 4,
  inline: 5,
  date: 6,
} as const;
export type CellType = (typeof CellType)[keyof typeof CellType];

/** Receives a worksheet's cells in document order. */
export interface SheetVisitor {
  /** A `<row>` with cells begins; `row` is its 1-based spreadsheet row number. */
  rowStart(row: number): void;
  /**
   * One cell with a value: `column` 0-based; the value is `bytes[start, end)`: the `<v>` text
   * (still XML-escaped), or for inline strings the `<is>` element's content. The bytes are
   * valid until `rowEnd` returns.
   */
  cell(column: number, type: CellType, bytes: Buffer, start: number, end: number): void;
  rowEnd(row: number): void;
}

/** Bytes gathered before a scan: fewer, larger passes than zlib's 16 KB chunks. */
const BATCH_BYTES = 1 << 20;
const ROW_CLOSE = Buffer.from('</row>');

/**
 * Stream a worksheet part (`xl/worksheets/sheetN.xml`) and report its cells. A byte-level
 * scanner, not a general XML parser: it relies on the SpreadsheetML shape every writer
 * produces (`<row r=…><c r=… t=…><v>…</v></c>…</row>`, unprefixed names, double-quoted
 * attributes) and allocates nothing per cell, so a 150 MB sheet takes one pass, little
 * garbage and a few MB of memory. `afterBatch` is awaited between batches (backpressure).
 */
export async function scanSheet(
  stream: Readable,
  visitor: SheetVisitor,
  afterBatch?: (bytes: number) => Promise<void> | void,
): Promise<void> {
  const state = { row: 0 };
  let carry: Buffer = Buffer.alloc(0);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const scan = async (final: boolean) => {
    const buffer = Buffer.concat([carry, ...pending]);
    pending = [];
    const bytes = pendingBytes;
    pendingBytes = 0;
    const cut = final ? buffer.length : buffer.lastIndexOf(ROW_CLOSE);
    if (cut < 0) {
      carry = buffer;
    } else {
      const end = final ? cut : cut + ROW_CLOSE.length;
      scanRows(buffer, end, visitor, state);
      carry = buffer.subarray(end);
    }
    await afterBatch?.(bytes);
  };
  for await (const chunk of stream) {
    pending.push(chunk as Buffer);
    pendingBytes += (chunk as Buffer).length;
    if (pendingBytes >= BATCH_BYTES) await scan(false);
  }
  await scan(true);
}

const LT = 60; // <
const GT = 62; // >
const SLASH = 47;
const QUOTE = 34;
const EQUALS = 61;

function isBoundary(code: number | undefined): boolean {
  // space, tab, LF, CR, '>', '/'
  return code === 32 || code === 9 || code === 10 || code === 13 || code === GT || code === SLASH;
}

/** The `t` attribute value starting at `at` (after `t="`). */
function cellType(b: Buffer, at: number): CellType {
  const first = b[at];
  const second = b[at + 1];
  if (first === 115 /* s */) {
    return second === QUOTE ? CellType.shared : CellType.formulaString; // s | str
  }
  if (first === 98 /* b */) return CellType.boolean;
  if (first === 101 /* e */) return CellType.error;
  if (first === 105 /* i */) return CellType.inline;
  if (first === 100 /* d */) return CellType.date;
  return CellType.number;
}

function scanRows(b: Buffer, end: number, visitor: SheetVisitor, state: { row: number }): void {
  let i = 0;
  let inRow = false;
  let column = -1;
  for (;;) {
    while (i < end && b[i] !== LT) i++;
    if (i >= end) return;
    const next = b[i + 1];
    if (next === 99 /* c */ && isBoundary(b[i + 2]) && inRow) {
      // <c …>: read r and t up to the end of the start tag
      let j = i + 2;
      let type: CellType = CellType.number;
      let ref = -1;
      while (b[j] !== GT) {
        const code = b[j];
        if (code === QUOTE) {
          j++;
          while (b[j] !== QUOTE) j++;
        } else if (
          (code === 114 /* r */ || code === 116) /* t */ &&
          isBoundary(b[j - 1]) &&
          b[j + 1] === EQUALS &&
          b[j + 2] === QUOTE
        ) {
          let k = j + 3;
          if (code === 114) {
            ref = 0;
            for (let letter = b[k]!; letter >= 65 && letter <= 90; letter = b[++k]!) {
              ref = ref * 26 + (letter - 64);
            }
            ref -= 1;
          } else {
            type = cellType(b, k);
          }
          while (b[k] !== QUOTE) k++;
          j = k;
        }
        j++;
      }
      column = ref >= 0 ? ref : column + 1;
      i = j + 1;
      if (b[j - 1] === SLASH) continue; // <c …/>: an empty styled cell
      if (type === CellType.inline) {
        const close = b.indexOf('</c>', i);
        visitor.cell(column, type, b, i, close);
        i = close + 4;
        continue;
      }
      // find <v> (after an optional <f>…</f>) or </c>
      for (;;) {
        while (b[i] !== LT) i++;
        const tag = b[i + 1];
        if (tag === 118 /* v */ && isBoundary(b[i + 2])) {
          let start = i + 2;
          while (b[start] !== GT) start++;
          if (b[start - 1] === SLASH) {
            i = start + 1;
            continue; // <v/>
          }
          start++;
          let stop = start;
          while (b[stop] !== LT) stop++;
          visitor.cell(column, type, b, start, stop);
          i = stop;
          continue;
        }
        if (tag === SLASH && b[i + 2] === 99 /* c */ && b[i + 3] === GT) {
          i += 4;
          break;
        }
        i++;
      }
      continue;
    }
    if (next === 114 /* r */ && b[i + 2] === 111 && b[i + 3] === 119 && isBoundary(b[i + 4])) {
      // <row …>
      let j = i + 4;
      let row = -1;
      while (b[j] !== GT) {
        const code = b[j];
        if (code === QUOTE) {
          j++;
          while (b[j] !== QUOTE) j++;
        } else if (
          code === 114 &&
          isBoundary(b[j - 1]) &&
          b[j + 1] === EQUALS &&
          b[j + 2] === QUOTE
        ) {
          let k = j + 3;
          row = 0;
          for (let digit = b[k]!; digit >= 48 && digit <= 57; digit = b[++k]!) {
            row = row * 10 + (digit - 48);
          }
          j = k;
        }
        j++;
      }
      state.row = row >= 0 ? row : state.row + 1;
      i = j + 1;
      column = -1;
      if (b[j - 1] !== SLASH) {
        inRow = true;
        visitor.rowStart(state.row);
      }
      continue;
    }
    if (
      next === SLASH &&
      b[i + 2] === 114 &&
      b[i + 3] === 111 &&
      b[i + 4] === 119 &&
      b[i + 5] === GT
    ) {
      // </row>
      if (inRow) visitor.rowEnd(state.row);
      inRow = false;
      i += 6;
      continue;
    }
    i++;
  }
}
