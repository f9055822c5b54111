// Builds the UCI Online Retail workbook from the shared parquet, with the cell types of the
// original file: InvoiceNo/StockCode numeric where all digits (text otherwise), InvoiceDate
// as date serial numbers with a date format, CustomerID numeric or empty. Cached.
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
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
  const stored = XLSX.write(workbook, { type: 'buffer', bookType: 'xlsx', bookSST: true });
  await writeFile(temp, deflateZip(XLSX.CFB.read(stored, { type: 'buffer' })));
  await rename(temp, path);
  return path;
}

/**
 * Re-zip SheetJS's entries with zlib's deflate (level 6, as Excel compresses): SheetJS's own
 * deflate leaves the workbook twice the size of the UCI original.
 */
function deflateZip(cfb) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  cfb.FullPaths.forEach((fullPath, i) => {
    const file = cfb.FileIndex[i];
    if (file.type !== 2 || file.name.includes('Sh33tJ5')) return;
    const name = Buffer.from(fullPath.replace(/^Root Entry\//, '').replace(/^\//, ''));
    const data = Buffer.from(file.content);
    const packed = deflateRawSync(data, { level: 6 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  });
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
