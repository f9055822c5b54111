import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { InputError } from '../../errors.js';
import { FIELDS, mapColumns } from '../columns.js';
import { excelSerialToTimestamp } from './excel-date.js';
import { type SheetVisitor, scanSheet } from './sheet-scanner.js';
import { readWorkbookInfo } from './workbook.js';
import { decodeXmlText } from './xml-text.js';
import { openZip } from './zip-archive.js';

export interface XlsxConversion {
  /** Data rows written (rows after the header with at least one cell). */
  readonly rows: number;
  readonly sheetName: string;
}

const DATE_FIELD = FIELDS.indexOf('invoice_date');
const FLUSH_CHARS = 1 << 22;

/**
 * Convert the first sheet of an .xlsx into a CSV that DuckDB reads: a header
 * `source_row,invoice_no,…,country` (the canonical {@link FIELDS}), then one line per data row
 * with its spreadsheet row number. Cells become text the way Excel shows them without
 * formatting: numbers as written (`536365`, not `536365.0`), shared and inline strings,
 * booleans `TRUE`/`FALSE`, and numeric InvoiceDate cells as timestamps (date serials).
 * Typing and validation happen afterwards in SQL, the same for every input format.
 */
export async function convertXlsxToCsv(
  file: string,
  csvPath: string,
  onProgress?: (done: number, total: number) => void,
): Promise<XlsxConversion> {
  const zip = await openZip(file).catch((error: unknown) => {
    throw new InputError(`Failed to ingest ${file}: not a readable .xlsx (zip) file`, {
      cause: error,
    });
  });
  try {
    const info = await readWorkbookInfo(zip, file);
    const total = zip.entries.get(info.sheetPath) ?? 0;
    const out = createWriteStream(csvPath);
    const closed = once(out, 'close');
    let pending: string[] = [`source_row,${FIELDS.join(',')}\n`];
    let pendingChars = 0;
    const flush = async () => {
      const text = pending.join('');
      pending = [];
      pendingChars = 0;
      if (!out.write(text)) await once(out, 'drain');
    };

    let header: string[] | undefined;
    let fieldOfColumn: Int8Array = new Int8Array(0);
    const values: (string | undefined)[] = new Array(FIELDS.length);
    let filled = 0;
    let rows = 0;
    const text = (type: string, raw: string): string => {
      switch (type) {
        case 's':
          return info.sharedStrings[Number(raw)] ?? '';
        case 'inlineStr':
          return raw;
        case 'b':
          return raw === '1' ? 'TRUE' : 'FALSE';
        case 'str':
        case 'e':
          return decodeXmlText(raw);
        default:
          return raw;
      }
    };
    const headerCells: string[] = [];
    const visitor: SheetVisitor = {
      rowStart() {
        values.fill(undefined);
        filled = 0;
      },
      cell(column, type, raw) {
        if (!header) {
          headerCells[column] = text(type, raw);
          filled++;
          return;
        }
        const field = column < fieldOfColumn.length ? fieldOfColumn[column]! : -1;
        if (field < 0) return;
        filled++;
        if (type === '' || type === 'n') {
          if (field === DATE_FIELD) {
            values[field] = excelSerialToTimestamp(Number(raw), info.date1904);
          } else {
            values[field] = /[eE]/.test(raw) ? String(Number(raw)) : raw;
          }
        } else {
          values[field] = text(type, raw);
        }
      },
      rowEnd(row) {
        if (filled === 0) return;
        if (!header) {
          header = Array.from(headerCells, (name) => name ?? '');
          const indexes = mapColumns(header, file);
          fieldOfColumn = new Int8Array(header.length).fill(-1);
          indexes.forEach((column, field) => {
            fieldOfColumn[column] = field;
          });
          return;
        }
        let line = String(row);
        for (const value of values) line += `,${csvField(value)}`;
        pending.push(line, '\n');
        pendingChars += line.length;
        rows++;
      },
    };

    let done = 0;
    const stream = await zip.stream(info.sheetPath);
    try {
      await scanSheet(stream, visitor, async (bytes) => {
        done += bytes;
        onProgress?.(done, total);
        if (pendingChars > FLUSH_CHARS) await flush();
      });
    } finally {
      await flush().catch(() => undefined);
      out.end();
      await closed;
    }
    if (!header)
      throw new InputError(`Failed to ingest ${file}: sheet '${info.sheetName}' is empty`);
    return { rows, sheetName: info.sheetName };
  } finally {
    zip.close();
  }
}

/** A CSV field: quoted when it holds a quote, comma, line break or edge whitespace. */
function csvField(value: string | undefined): string {
  if (value === undefined) return '';
  if (value === '' || /[",\r\n]|^\s|\s$/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}
