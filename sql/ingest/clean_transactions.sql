/* clean_transactions
   The cleaned transactions (DESIGN.md, "Cleaning"): rows without a customer are dropped,
   customer_id is a BIGINT, revenue = quantity * unit_price, and an invoice number starting
   with 'C' marks a cancellation. Sorted by invoice date so that parquet row groups can be
   pruned by date; ties keep the order of the input file. Reads `typed_transactions`. */
SELECT
  invoice_no,                                             -- text, '536365' or 'C536379'
  stock_code,                                             -- text, '85123A' or '71053'
  description,
  CAST(quantity AS BIGINT)               AS quantity,     -- negative on cancellations
  invoice_date,                                           -- TIMESTAMP (naive, UTC)
  unit_price,                                             -- DOUBLE
  CAST(customer_id AS BIGINT)            AS customer_id,
  country,
  CAST(quantity AS BIGINT) * unit_price  AS revenue,      -- DOUBLE
  COALESCE(starts_with(invoice_no, 'C'), false) AS is_cancellation
FROM typed_transactions
WHERE customer_id IS NOT NULL
ORDER BY invoice_date, source_row
