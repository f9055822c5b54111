/*
name: product_features
description: How a product sells before a cutoff, over every customer: buyers in the feature
  window and the share of them who bought it on two or more invoices.
@param transactions VARCHAR  path of the cleaned transactions parquet (sorted by invoice_date)
@param cutoff TIMESTAMP  the cutoff C: only rows strictly before C are read
@param feature_window_days INTEGER  length of the feature window ending at C, in days
*/
WITH per_buyer AS (
  SELECT stock_code, customer_id, count(DISTINCT invoice_no) AS orders
  FROM read_parquet($transactions)
  WHERE NOT is_cancellation
    AND invoice_date >= $cutoff - to_days($feature_window_days) AND invoice_date < $cutoff
  GROUP BY stock_code, customer_id
)
SELECT
  stock_code,                    -- the product (entity key)
  $cutoff AS event_timestamp,    -- the cutoff C the features are valid at
  count(*) AS product_buyers,    -- distinct customers who bought it in the window
  -- share of those buyers with two or more invoices of it in the window
  avg((orders >= 2)::DOUBLE) AS product_repeat_share
FROM per_buyer
GROUP BY stock_code
