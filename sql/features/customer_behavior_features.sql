/*
name: customer_behavior_features
description: Basket, assortment, return and purchase-rhythm features of each customer at a
  cutoff, over the feature window [cutoff - feature_window_days, cutoff). Same population
  as customer_rfm_features: customers with a non-cancelled row in the window.
@param transactions VARCHAR  path of the cleaned transactions parquet (sorted by invoice_date)
@param cutoff TIMESTAMP  the cutoff C: only rows strictly before C are read
@param feature_window_days INTEGER  length of the feature window ending at C, in days
*/
-- Each CTE reads the parquet itself (date-pruned) instead of sharing a window-rows CTE,
-- which DuckDB would materialize.
WITH invoices AS (
  SELECT customer_id, invoice_no,
         bool_or(is_cancellation) AS cancelled,
         min(invoice_date) AS first_row_at,
         sum(revenue) AS revenue,
         sum(quantity) AS quantity
  FROM read_parquet($transactions)
  WHERE invoice_date >= $cutoff - to_days($feature_window_days) AND invoice_date < $cutoff
  GROUP BY customer_id, invoice_no
),
purchases AS (
  SELECT customer_id, revenue, quantity,
         (epoch_us(first_row_at)
           - epoch_us(lag(first_row_at) OVER (PARTITION BY customer_id ORDER BY first_row_at, invoice_no)))
           // 86400000000 AS gap_days
  FROM invoices
  WHERE NOT cancelled
),
purchase_stats AS (
  SELECT customer_id,
         avg(revenue) AS avg_order_value,
         avg(quantity) AS avg_basket_size,
         coalesce(avg(gap_days), 0) AS avg_days_between_purchases
  FROM purchases
  GROUP BY customer_id
),
invoice_stats AS (
  SELECT customer_id, count(*) FILTER (WHERE cancelled) / count(*) AS return_rate
  FROM invoices
  GROUP BY customer_id
),
product_stats AS (
  SELECT customer_id, count(DISTINCT stock_code) AS n_unique_products
  FROM read_parquet($transactions)
  WHERE NOT is_cancellation
    AND invoice_date >= $cutoff - to_days($feature_window_days) AND invoice_date < $cutoff
  GROUP BY customer_id
)
SELECT
  p.customer_id,                       -- the customer (entity key)
  $cutoff AS event_timestamp,          -- the cutoff C the features are valid at
  p.avg_order_value,                   -- mean revenue of a non-cancelled invoice in the window
  p.avg_basket_size::DOUBLE AS avg_basket_size,  -- mean quantity of a non-cancelled invoice
  s.n_unique_products,                 -- distinct stock codes bought (non-cancelled rows)
  i.return_rate::DOUBLE AS return_rate,  -- cancelled share of all distinct invoices in the window
  -- mean whole-day (floor) gap between consecutive non-cancelled invoices, ordered by
  -- each invoice's first row time; 0 with a single invoice
  p.avg_days_between_purchases::DOUBLE AS avg_days_between_purchases
FROM purchase_stats AS p
JOIN invoice_stats AS i USING (customer_id)
JOIN product_stats AS s USING (customer_id)
