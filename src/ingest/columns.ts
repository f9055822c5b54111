import { InputError } from '../errors.js';

/** The input columns ingestion needs, by their canonical (output) names. */
export const FIELDS = [
  'invoice_no',
  'stock_code',
  'description',
  'quantity',
  'invoice_date',
  'unit_price',
  'customer_id',
  'country',
] as const;
export type Field = (typeof FIELDS)[number];

/**
 * Accepted header names: Online Retail first, then Online Retail II. Matched case-insensitively
 * after trimming.
 */
export const COLUMN_NAMES: Readonly<Record<Field, readonly string[]>> = {
  invoice_no: ['InvoiceNo', 'Invoice'],
  stock_code: ['StockCode'],
  description: ['Description'],
  quantity: ['Quantity'],
  invoice_date: ['InvoiceDate'],
  unit_price: ['UnitPrice', 'Price'],
  customer_id: ['CustomerID', 'Customer ID'],
  country: ['Country'],
};

/**
 * Find each field among the input's column names; returns the column index per field in
 * {@link FIELDS} order, or throws an InputError that names what is missing and what was found.
 *
 * @example mapColumns(['Invoice', 'StockCode', …, 'Customer ID', 'Country'], 'x.csv') // [0, 1, …]
 */
export function mapColumns(found: readonly string[], file: string): number[] {
  const normalized = found.map((name) => name.trim().toLowerCase());
  const indexes: number[] = [];
  const missing: string[] = [];
  for (const field of FIELDS) {
    const names = COLUMN_NAMES[field];
    const wanted = new Set(names.map((name) => name.toLowerCase()));
    const index = normalized.findIndex((name) => wanted.has(name));
    if (index < 0) missing.push(names.join(' or '));
    indexes.push(index);
  }
  if (missing.length > 0) {
    const shown = found.length > 0 ? found.map((name) => JSON.stringify(name)).join(', ') : 'none';
    throw new InputError(
      `Failed to ingest ${file}: missing required columns: ${missing.join(', ')} (found: ${shown})`,
    );
  }
  return indexes;
}
