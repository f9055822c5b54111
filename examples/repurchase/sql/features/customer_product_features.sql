/*
name: customer_product_features
description: How a customer has bought a product before a cutoff: orders and units in the
  feature window, days since the last and the first purchase of it. The population is
  every pair with a non-cancelled purchase in [cutoff - feature_window_days, cutoff).
@param transactions VARCHAR  path of the cleaned transactions parquet (sorted by invoice_date)
@param cutoff TIMESTAMP  the cutoff C: only rows strictly before C are read
@param feature_window_days INTEGER  length of the feature window ending at C, in days
*/
SELECT
  customer_id,                   -- the customer (first key)
  stock_code,                    -- the product (second key)
  $cutoff AS event_timestamp,    -- the cutoff C the features are valid at
  -- distinct non-cancelled invoices with the product in the window
  count(DISTINCT invoice_no) FILTER (WHERE invoice_date >= $cutoff - to_days($feature_window_days)) AS pair_orders,
  -- units of the product bought in the window
  coalesce(sum(quantity) FILTER (WHERE invoice_date >= $cutoff - to_days($feature_window_days)), 0)::BIGINT AS pair_units,
  -- whole days (floor) from the last purchase of the product to C
  (epoch_us($cutoff) - epoch_us(max(invoice_date))) // 86400000000 AS pair_recency_days,
  -- whole days (floor) from the first purchase of the product ever (before C) to C
  (epoch_us($cutoff) - epoch_us(min(invoice_date))) // 86400000000 AS pair_tenure_days
FROM read_parquet($transactions)
WHERE NOT is_cancellation AND invoice_date < $cutoff
GROUP BY customer_id, stock_code
HAVING max(invoice_date) >= $cutoff - to_days($feature_window_days)
