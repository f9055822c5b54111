/* typed_transactions
   Types the cells of `raw_transactions` (one row per data row of the input, columns already
   renamed to the canonical names by the reader; values may be text or typed).
   A value that cannot be read as its type becomes NULL here; `bad_cells.sql` counts those.
   Dates: ISO text or timestamps, else US-style text as in the UCI CSV exports
   (`12/1/2010 8:26`). */
SELECT
  source_row,                                              -- spreadsheet row number (header = 1)
  invoice_no,
  stock_code,
  description,
  country,
  TRY_CAST(quantity AS DOUBLE)        AS quantity,         -- whole number checked in bad_cells
  TRY_CAST(unit_price AS DOUBLE)      AS unit_price,
  TRY_CAST(customer_id AS DOUBLE)     AS customer_id,      -- NULL when empty or unreadable
  COALESCE(
    TRY_CAST(invoice_date AS TIMESTAMP),
    try_strptime(CAST(invoice_date AS VARCHAR),
                 ['%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%y %H:%M'])
  )                                   AS invoice_date,
  quantity IS NULL                    AS quantity_missing,
  unit_price IS NULL                  AS unit_price_missing,
  customer_id IS NULL                 AS customer_id_missing,
  invoice_date IS NULL                AS invoice_date_missing
FROM raw_transactions
