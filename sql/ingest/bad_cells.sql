/* bad_cells
   Policy: a file with any unreadable cell is rejected as a whole (no partial ingest).
   A cell is bad when Quantity is empty or not a whole number, UnitPrice is empty or not a
   number, InvoiceDate is empty or not a date, or CustomerID is present but not a whole
   number (an empty CustomerID is fine: cleaning drops the row).
   One row per column with bad cells: how many, and the first five source row numbers. */
WITH checks AS (
  SELECT 'Quantity' AS column_name, source_row,
         quantity IS NULL OR quantity <> trunc(quantity) AS bad
  FROM typed_transactions
  UNION ALL
  SELECT 'UnitPrice', source_row, unit_price IS NULL FROM typed_transactions
  UNION ALL
  SELECT 'InvoiceDate', source_row, invoice_date IS NULL FROM typed_transactions
  UNION ALL
  SELECT 'CustomerID', source_row,
         NOT customer_id_missing AND (customer_id IS NULL OR customer_id <> trunc(customer_id))
  FROM typed_transactions
)
SELECT
  column_name,
  count(*)                                         AS bad_count,   -- cells that failed
  list(source_row ORDER BY source_row)[1:5]        AS first_rows   -- spreadsheet row numbers
FROM checks
WHERE bad
GROUP BY column_name
ORDER BY min(source_row), column_name
