/*
name: purchase_labels
description: Whether each customer buys in the label window [cutoff, cutoff +
  label_window_days). The population (the entity spine) is the feature views' one:
  customers with a non-cancelled row in [cutoff - feature_window_days, cutoff).
@param transactions VARCHAR  path of the cleaned transactions parquet (sorted by invoice_date)
@param cutoff TIMESTAMP  the cutoff C: the label window starts at C (inclusive)
@param feature_window_days INTEGER  length of the feature window ending at C, in days
@param label_window_days INTEGER  length of the label window starting at C, in days
*/
WITH purchases AS (
  SELECT customer_id, invoice_date
  FROM read_parquet($transactions)
  WHERE NOT is_cancellation
    AND invoice_date >= $cutoff - to_days($feature_window_days)
    AND invoice_date < $cutoff + to_days($label_window_days)
),
population AS (
  SELECT DISTINCT customer_id FROM purchases WHERE invoice_date < $cutoff
),
buyers AS (
  SELECT DISTINCT customer_id FROM purchases WHERE invoice_date >= $cutoff
)
SELECT
  p.customer_id,                 -- the customer (entity key)
  $cutoff AS event_timestamp,    -- the cutoff C the label is anchored at
  -- 1 if the customer has a non-cancelled row in [C, C + label_window_days), else 0
  (b.customer_id IS NOT NULL)::BIGINT AS purchased
FROM population AS p
LEFT JOIN buyers AS b USING (customer_id)
