/*
name: repurchase_labels
description: Whether a customer buys a product again in the label window [cutoff, cutoff +
  label_window_days). The population (the entity spine) is every (customer, product) pair
  with a non-cancelled purchase in the 30 days before the cutoff.
@param transactions VARCHAR  path of the cleaned transactions parquet (sorted by invoice_date)
@param cutoff TIMESTAMP  the cutoff C: the label window starts at C (inclusive)
@param label_window_days INTEGER  length of the label window starting at C, in days
*/
WITH purchases AS (
  SELECT customer_id, stock_code, invoice_date
  FROM read_parquet($transactions)
  WHERE NOT is_cancellation
    AND invoice_date >= $cutoff - INTERVAL 30 DAY
    AND invoice_date < $cutoff + to_days($label_window_days)
)
SELECT
  customer_id,                   -- the customer (first key)
  stock_code,                    -- the product (second key)
  $cutoff AS event_timestamp,    -- the cutoff C the label is anchored at
  -- 1 if the pair has a non-cancelled row in [C, C + label_window_days), else 0
  max((invoice_date >= $cutoff)::BIGINT) AS repurchased
FROM purchases
GROUP BY customer_id, stock_code
HAVING min(invoice_date) < $cutoff
