// The cleaned transactions of the real UCI data for benchmarks, in a few lines of SQL
// (DESIGN.md's cleaning rules; the same as test/engine/helpers.ts), so a bench does not
// depend on the ingest step.
import { DuckDBInstance } from '@duckdb/node-api';

/** Write the cleaned, date-sorted transactions of `raw` (the UCI parquet) to `target`. */
export async function writeRealTransactions(raw, target) {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(
      `COPY (SELECT InvoiceNo AS invoice_no, StockCode AS stock_code, Description AS description,
         Quantity AS quantity, InvoiceDate AS invoice_date, UnitPrice AS unit_price,
         CustomerID::BIGINT AS customer_id, Country AS country, Quantity * UnitPrice AS revenue,
         starts_with(InvoiceNo, 'C') AS is_cancellation
       FROM read_parquet($raw) WHERE CustomerID IS NOT NULL ORDER BY invoice_date)
       TO $target (FORMAT parquet)`,
      { raw, target },
    );
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
