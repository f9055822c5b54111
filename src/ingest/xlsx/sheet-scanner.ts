import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { stringItemText } from './xml-text.js';

/** Receives a worksheet's cells in document order. */
export interface SheetVisitor {
  /** A `<row>` with cells begins; `row` is its 1-based spreadsheet row number. */
  rowStart(row: number): void;
  /**
   * One non-empty cell: `column` 0-based, `type` the `t` attribute (`''` for numbers, `s`
   * shared string, `str`, `b`, `e`, `d`, `inlineStr` with `raw` already decoded), `raw` the
   * `<v>` text (still XML-escaped except for inline strings).
   */
  cell(column: number, type: string, raw: string): void;
  rowEnd(row: number): void;
}

/**
 * Stream a worksheet part (`xl/worksheets/sheetN.xml`) and report its cells. A fast scanner,
 * not a general XML parser: it relies on the SpreadsheetML shape every writer produces
 * (`<row r=…><c r=… t=…><v>…</v></c>…</row>`, unprefixed element names) and never builds a
 * DOM, so a 150 MB sheet takes one pass and a few MB of memory. `afterChunk` is awaited
 * between chunks (backpressure for whoever consumes the cells).
 */
export async function scanSheet(
  stream: Readable,
  visitor: SheetVisitor,
  afterChunk?: (bytes: number) => Promise<void> | void,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const state = { row: 0 };
  let carry = '';
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    const text = carry + decoder.write(buffer);
    const cut = text.lastIndexOf('</row>');
    if (cut < 0) {
      carry = text;
    } else {
      scanRows(text, cut + 6, visitor, state);
      carry = text.slice(cut + 6);
    }
    await afterChunk?.(buffer.length);
  }
  const rest = carry + decoder.end();
  scanRows(rest, rest.length, visitor, state);
}

function isTagBoundary(code: number): boolean {
  // space, tab, CR, LF, '>', '/'
  return code === 32 || code === 9 || code === 13 || code === 10 || code === 62 || code === 47;
}

/** The value of an attribute in a start tag, found by its `needle` (` r="`). */
function attributeIn(tag: string, needle: string): string | undefined {
  const at = tag.indexOf(needle);
  if (at < 0) return undefined;
  const from = at + needle.length;
  return tag.slice(from, tag.indexOf('"', from));
}

/** `AB12` → 27 (0-based column of a cell reference). */
function columnIndex(ref: string): number {
  let index = 0;
  for (let i = 0; i < ref.length; i++) {
    const code = ref.charCodeAt(i);
    if (code < 65 || code > 90) break;
    index = index * 26 + (code - 64);
  }
  return index - 1;
}

function scanRows(text: string, end: number, visitor: SheetVisitor, state: { row: number }): void {
  let pos = 0;
  for (;;) {
    const rowOpen = text.indexOf('<row', pos);
    if (rowOpen < 0 || rowOpen >= end) return;
    if (!isTagBoundary(text.charCodeAt(rowOpen + 4))) {
      pos = rowOpen + 4;
      continue;
    }
    const tagEnd = text.indexOf('>', rowOpen);
    const r = attributeIn(text.slice(rowOpen, tagEnd), ' r="');
    state.row = r === undefined ? state.row + 1 : Number(r);
    if (text.charCodeAt(tagEnd - 1) === 47) {
      pos = tagEnd + 1; // <row …/>: no cells
      continue;
    }
    const rowClose = text.indexOf('</row>', tagEnd);
    visitor.rowStart(state.row);
    scanCells(text, tagEnd + 1, rowClose, visitor);
    visitor.rowEnd(state.row);
    pos = rowClose + 6;
  }
}

function scanCells(text: string, start: number, end: number, visitor: SheetVisitor): void {
  let pos = start;
  let column = -1;
  for (;;) {
    const cellOpen = text.indexOf('<c', pos);
    if (cellOpen < 0 || cellOpen >= end) return;
    if (!isTagBoundary(text.charCodeAt(cellOpen + 2))) {
      pos = cellOpen + 2;
      continue;
    }
    const tagEnd = text.indexOf('>', cellOpen);
    const tag = text.slice(cellOpen, tagEnd);
    const ref = attributeIn(tag, ' r="');
    column = ref === undefined ? column + 1 : columnIndex(ref);
    if (text.charCodeAt(tagEnd - 1) === 47) {
      pos = tagEnd + 1; // <c …/>: a styled empty cell
      continue;
    }
    const type = attributeIn(tag, ' t="') ?? '';
    const cellClose = text.indexOf('</c>', tagEnd);
    if (type === 'inlineStr') {
      visitor.cell(column, type, stringItemText(text.slice(tagEnd + 1, cellClose)));
    } else {
      const valueOpen = text.indexOf('<v', tagEnd);
      if (valueOpen >= 0 && valueOpen < cellClose) {
        const valueStart = text.indexOf('>', valueOpen) + 1;
        if (text.charCodeAt(valueStart - 2) !== 47) {
          visitor.cell(column, type, text.slice(valueStart, text.indexOf('</v>', valueStart)));
        }
      }
    }
    pos = cellClose + 4;
  }
}
