/*
name: customer_activity_features
description: How often and how steadily each customer buys: invoice counts over the last
  7, 30 and 60 days, and the number of calendar months with a purchase in the last year.
  The population is every customer with a non-cancelled row in the year before the cutoff.
@param transactions VARCHAR  path of the cleaned transactions parquet (sorted by invoice_date)
@param cutoff TIMESTAMP  the cutoff C: only rows strictly before C are read
*/
WITH purchases AS (
  SELECT customer_id, invoice_no, invoice_date
  FROM read_parquet($transactions)
  WHERE NOT is_cancellation
    AND invoice_date >= $cutoff - INTERVAL 365 DAY AND invoice_date < $cutoff
)
SELECT
  customer_id,                   -- the customer (entity key)
  $cutoff AS event_timestamp,    -- the cutoff C the features are valid at
  -- distinct non-cancelled invoices in [C - 7d, C)
  count(DISTINCT invoice_no) FILTER (WHERE invoice_date >= $cutoff - INTERVAL 7 DAY) AS orders_7d,
  -- distinct non-cancelled invoices in [C - 30d, C)
  count(DISTINCT invoice_no) FILTER (WHERE invoice_date >= $cutoff - INTERVAL 30 DAY) AS orders_30d,
  -- distinct non-cancelled invoices in [C - 60d, C)
  count(DISTINCT invoice_no) FILTER (WHERE invoice_date >= $cutoff - INTERVAL 60 DAY) AS orders_60d,
  -- distinct calendar months with a non-cancelled row in [C - 365d, C)
  count(DISTINCT date_trunc('month', invoice_date)) AS months_active_365d
FROM purchases
GROUP BY customer_id
