// Builds the UCI Online Retail workbook from the shared parquet, with the cell types of the
// original file: InvoiceNo/StockCode numeric where all digits (text otherwise), InvoiceDate
// as date serial numbers with a date format, CustomerID numeric or empty. Cached.
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import XLSX from 'xlsx';

const HEADER = [
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

/** Rows of the parquet as arrays of SheetJS cell objects (header first). */
export async function readUciRows(parquet, limit) {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT InvoiceNo, StockCode, Description, Quantity, epoch_ms(InvoiceDate)::DOUBLE,
              UnitPrice, CustomerID, Country
       FROM read_parquet($parquet) ${limit ? `LIMIT ${Number(limit)}` : ''}`,
      { parquet },
    );
    return reader.getRows();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

const digits = /^[0-9]+$/;
const code = (v) => (v === null ? null : digits.test(v) ? { t: 'n', v: Number(v) } : { t: 's', v });

/** A SheetJS worksheet with UCI cell types from rows of readUciRows. */
export function uciSheet(rows) {
  const aoa = [HEADER];
  for (const [inv, stock, desc, qty, ms, price, cust, country] of rows) {
    aoa.push([
      code(inv),
      code(stock),
      desc === null ? null : { t: 's', v: desc },
      { t: 'n', v: Number(qty) },
      { t: 'n', v: (ms - EXCEL_EPOCH_MS) / 86_400_000, z: 'm/d/yy h:mm' },
      { t: 'n', v: price },
      cust === null ? null : { t: 'n', v: cust },
      { t: 's', v: country },
    ]);
  }
  return XLSX.utils.aoa_to_sheet(aoa);
}

/** Write the workbook (sheet "Online Retail") to `path` unless it exists; returns path. */
export async function buildUciXlsx(parquet, path, limit) {
  if (existsSync(path)) return path;
  await mkdir(dirname(path), { recursive: true });
  const workbook = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(
    workbook,
    uciSheet(await readUciRows(parquet, limit)),
    'Online Retail',
  );
  const temp = `${path}.tmp.xlsx`;
  XLSX.writeFile(workbook, temp, { compression: true, bookSST: true });
  await rename(temp, path);
  return path;
}
