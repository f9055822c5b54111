import { DuckDBInstance } from '@duckdb/node-api';
import XLSX from 'xlsx';

/** The shared UCI data, beside the repository (CI clones it with `shared/` next to it). */
export const SHARED_PARQUET = new URL('../../../shared/data/online_retail.parquet', import.meta.url)
  .pathname;

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
  const aoa: unknown[][] = [HEADER];
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
