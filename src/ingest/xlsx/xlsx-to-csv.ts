import { open } from 'node:fs/promises';
import { errorMessage, InputError } from '../../errors.js';
import { FIELDS, mapColumns } from '../columns.js';
import { CsvBytes, csvField } from './csv-bytes.js';
import { excelSerialToTimestamp } from './excel-date.js';
import { CellType, type SheetVisitor, scanSheet } from './sheet-scanner.js';
import { readWorkbookInfo } from './workbook.js';
import { decodeXmlText, stringItemText } from './xml-text.js';
import { openZip } from './zip-archive.js';

export interface XlsxConversion {
  /** Data rows written (rows after the header with at least one cell in a needed column). */
  readonly rows: number;
  readonly sheetName: string;
}

const DATE_FIELD = FIELDS.indexOf('invoice_date');
const FLUSH_BYTES = 1 << 22;
const MAX_CACHED_DATES = 200_000;

/**
 * Convert the first sheet of an .xlsx into a CSV that DuckDB reads: a header
 * `source_row,invoice_no,…,country` (the canonical {@link FIELDS}), then one line per data row
 * with its spreadsheet row number. Cells become text the way Excel stores them: numbers as
 * written (`536365`, not `536365.0`), shared and inline strings, booleans `TRUE`/`FALSE`, and
 * numeric InvoiceDate cells as timestamps (date serials). Typing and validation happen
 * afterwards in SQL, the same for every input format.
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
    const cannotWrite = (error: unknown) =>
      new InputError(`Failed to ingest ${file}: cannot write ${csvPath}: ${errorMessage(error)}`, {
        cause: error,
      });
    // Opened first so a path that cannot be written fails here: an erroring stream would
    // otherwise leave the first flush waiting for a 'drain' that never comes.
    const out = (
      await open(csvPath, 'w').catch((error: unknown) => {
        throw cannotWrite(error);
      })
    ).createWriteStream();
    const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
    const csv = new CsvBytes(out);
    csv.bytes(Buffer.from(`source_row,${FIELDS.join(',')}\n`));

    // Each distinct string is escaped for CSV once, not once per cell.
    const sharedCsv: (Buffer | undefined)[] = new Array(info.sharedStrings.length);
    const sharedField = (index: number): Buffer =>
      (sharedCsv[index] ??= Buffer.from(csvField(info.sharedStrings[index] ?? '')));
    const dates = new Map<string, Buffer>();
    const dateField = (serial: string): Buffer => {
      let text = dates.get(serial);
      if (!text) {
        if (dates.size > MAX_CACHED_DATES) dates.clear();
        text = Buffer.from(excelSerialToTimestamp(Number(serial), info.date1904));
        dates.set(serial, text);
      }
      return text;
    };
    /** A cell as text, for the header and the rare cell kinds. */
    const cellText = (type: CellType, bytes: Buffer, start: number, end: number): string => {
      const raw = bytes.toString('utf8', start, end);
      switch (type) {
        case CellType.shared:
          return info.sharedStrings[Number(raw)] ?? '';
        case CellType.inline:
          return stringItemText(raw);
        case CellType.boolean:
          return raw === '1' ? 'TRUE' : 'FALSE';
        case CellType.number:
          return /[eE]/.test(raw) ? String(Number(raw)) : raw;
        default:
          return decodeXmlText(raw);
      }
    };

    let header: string[] | undefined;
    const headerCells: string[] = [];
    let fieldOfColumn = new Int8Array(0);
    // The current row's cells by field: where their bytes are, and their type.
    const cellBytes: (Buffer | undefined)[] = new Array(FIELDS.length);
    const cellStart = new Int32Array(FIELDS.length);
    const cellEnd = new Int32Array(FIELDS.length);
    const cellType = new Int8Array(FIELDS.length);
    let filled = 0;
    let rows = 0;

    const writeField = (field: number) => {
      const bytes = cellBytes[field];
      if (!bytes) return;
      const type = cellType[field] as CellType;
      const start = cellStart[field]!;
      const end = cellEnd[field]!;
      if (type === CellType.shared) {
        let index = 0;
        for (let i = start; i < end; i++) index = index * 10 + (bytes[i]! - 48);
        csv.bytes(sharedField(index));
      } else if (type === CellType.number && field === DATE_FIELD) {
        csv.bytes(dateField(bytes.toString('latin1', start, end)));
      } else if (type === CellType.number && !hasExponent(bytes, start, end)) {
        csv.bytes(bytes, start, end); // plain decimal: copy as written
      } else {
        csv.bytes(Buffer.from(csvField(cellText(type, bytes, start, end))));
      }
    };

    const visitor: SheetVisitor = {
      rowStart() {
        cellBytes.fill(undefined);
        filled = 0;
      },
      cell(column, type, bytes, start, end) {
        if (!header) {
          headerCells[column] = cellText(type, bytes, start, end);
          filled++;
          return;
        }
        const field = column < fieldOfColumn.length ? fieldOfColumn[column]! : -1;
        if (field < 0) return;
        cellBytes[field] = bytes;
        cellStart[field] = start;
        cellEnd[field] = end;
        cellType[field] = type;
        filled++;
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
        csv.integer(row);
        for (let field = 0; field < FIELDS.length; field++) {
          csv.comma();
          writeField(field);
        }
        csv.newline();
        rows++;
      },
    };

    let done = 0;
    try {
      await scanSheet(await zip.stream(info.sheetPath), visitor, async (bytes) => {
        done += bytes;
        onProgress?.(done, total);
        if (csv.size > FLUSH_BYTES) await csv.flush();
      });
      await csv.flush();
    } catch (error) {
      throw out.errored ? cannotWrite(out.errored) : error;
    } finally {
      out.end();
      await closed;
    }
    if (out.errored) throw cannotWrite(out.errored);
    if (!header) {
      throw new InputError(`Failed to ingest ${file}: sheet '${info.sheetName}' is empty`);
    }
    return { rows, sheetName: info.sheetName };
  } finally {
    zip.close();
  }
}

/** `1.5E-3` style numbers are normalized through `Number`; plain decimals are copied. */
function hasExponent(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = bytes[i];
    if (code === 101 || code === 69) return true;
  }
  return false;
}
