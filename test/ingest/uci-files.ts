import { writeFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import XLSX from 'xlsx';

/** The shared UCI data, beside the repository (CI clones it with `shared/` next to it). */
export const SHARED_PARQUET = new URL('../../../shared/data/online_retail.parquet', import.meta.url)
  .pathname;

/** The Online Retail column names, in the UCI file's order. */
export const UCI_HEADER = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
];
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** Run statements on a throwaway in-memory DuckDB; returns the last result's rows. */
export async function duck(sql: string, values?: Record<string, string>): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(sql, values)).getRows();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

/**
 * Write rows of a raw UCI parquet as an .xlsx with the original file's cell types: InvoiceNo
 * and StockCode numeric where all digits, InvoiceDate as a date serial with a date format.
 */
export async function writeUciWorkbook(parquet: string, xlsx: string): Promise<void> {
  const rows = await duck(
    `SELECT InvoiceNo, StockCode, Description, Quantity, epoch_ms(InvoiceDate)::DOUBLE,
            UnitPrice, CustomerID, Country FROM read_parquet($parquet)`,
    { parquet },
  );
  const code = (v: unknown) =>
    v === null ? null : /^[0-9]+$/.test(String(v)) ? Number(v) : String(v);
  const aoa: unknown[][] = [UCI_HEADER];
  for (const [inv, stock, desc, qty, ms, price, cust, country] of rows) {
    aoa.push([
      code(inv),
      code(stock),
      desc,
      Number(qty),
      { t: 'n', v: (Number(ms) - EXCEL_EPOCH_MS) / 86_400_000, z: 'm/d/yy h:mm' },
      price,
      cust,
      country,
    ]);
  }
  const workbook = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet(aoa), 'Online Retail');
  XLSX.writeFile(workbook, xlsx, { compression: true, bookSST: true });
}

/** A minimal .xlsx written part by part (SheetJS's zip container, our own XML). */
export async function writeWorkbook(
  path: string,
  sheets: { name: string; xml: string }[],
  workbookPr = '',
  extraParts: Record<string, string> = {},
): Promise<string> {
  const cfb = XLSX.CFB.utils.cfb_new();
  const add = (path: string, text: string) => XLSX.CFB.utils.cfb_add(cfb, path, Buffer.from(text));
  add(
    'xl/workbook.xml',
    `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">${workbookPr}<sheets>${sheets
      .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('')}</sheets></workbook>`,
  );
  add(
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
      .map(
        (_s, i) =>
          `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
      )
      .join('')}</Relationships>`,
  );
  for (const [i, s] of sheets.entries()) {
    add(
      `xl/worksheets/sheet${i + 1}.xml`,
      `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${s.xml}</sheetData></worksheet>`,
    );
  }
  for (const [part, text] of Object.entries(extraParts)) add(part, text);
  await writeFile(path, XLSX.CFB.write(cfb, { fileType: 'zip', type: 'buffer' }) as Buffer);
  return path;
}
