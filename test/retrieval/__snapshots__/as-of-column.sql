-- duckfeat point-in-time retrieval "as_of_column"
--   rfm: recency_days, monetary
--   market: index_level
-- entity timestamp "event_timestamp"; one output row per entity row, in input order
WITH
-- The entity rows, numbered in input order (the number orders the output), timestamps
-- as UTC TIMESTAMP.
entities AS (
  SELECT
    *,
    row_number() OVER () AS "__duckfeat_row"
  FROM (
    SELECT * FROM (VALUES
      (1::BIGINT, TIMESTAMP '2021-02-09', TIMESTAMP '2021-02-03', 50.0::DOUBLE),
      (1, TIMESTAMP '2021-02-09', NULL, 0.0),
      (1, TIMESTAMP '2021-02-09', TIMESTAMP '2020-12-01', 300.0),
      (2, TIMESTAMP '2021-01-20', TIMESTAMP '2021-01-15', NULL),
      (3, TIMESTAMP '2021-01-20', NULL, 1.0),
      (1, TIMESTAMP '2020-12-31', NULL, 1.0)
    ) AS t(customer_id, event_timestamp, known_at, basket)
  )
),
-- rfm: its rows with the created timestamp, for each entity row's knowledge time.
"fv_rfm" AS (
  SELECT "customer_id", "event_timestamp" AS "__feature_ts", "created_timestamp" AS "__created_ts", "recency_days", "monetary"
  FROM read_parquet($rfm_path)
  WHERE "customer_id" IS NOT NULL
    AND "event_timestamp" IS NOT NULL
),
-- rfm: per entity row, the newest row at or before its timestamp (same keys) among
-- those created by its "known_at" (NULL: any); ties go to the greatest "created_timestamp", then the smallest feature values.
"pit_rfm" AS (
  SELECT e."__duckfeat_row", f."__feature_ts", f."recency_days", f."monetary"
  FROM entities AS e
  JOIN "fv_rfm" AS f
    ON e."customer_id" = f."customer_id"
    AND f."__feature_ts" <= e."event_timestamp"
    AND (e."known_at" IS NULL OR f."__created_ts" <= e."known_at")
  QUALIFY row_number() OVER (
    PARTITION BY e."__duckfeat_row"
    ORDER BY f."__feature_ts" DESC, f."__created_ts" DESC NULLS LAST, f."recency_days" ASC NULLS LAST, f."monetary" ASC NULLS LAST
  ) = 1
),
-- market: its rows with the created timestamp, for each entity row's knowledge time.
"fv_market" AS (
  SELECT "event_timestamp" AS "__feature_ts", "created_timestamp" AS "__created_ts", "index_level"
  FROM read_parquet($market_path)
  WHERE "event_timestamp" IS NOT NULL
),
-- market: per entity row, the newest row at or before its timestamp (same keys) among
-- those created by its "known_at" (NULL: any); ties go to the greatest "created_timestamp", then the smallest feature values.
"pit_market" AS (
  SELECT e."__duckfeat_row", f."__feature_ts", f."index_level"
  FROM entities AS e
  JOIN "fv_market" AS f
    ON f."__feature_ts" <= e."event_timestamp"
    AND (e."known_at" IS NULL OR f."__created_ts" <= e."known_at")
  QUALIFY row_number() OVER (
    PARTITION BY e."__duckfeat_row"
    ORDER BY f."__feature_ts" DESC, f."__created_ts" DESC NULLS LAST, f."index_level" ASC NULLS LAST
  ) = 1
)
-- Each entity row joined, per view, to the newest feature row at or before its timestamp
-- (same keys; NULL keys match nothing); a match older than the TTL counts as none. A NULL
-- timestamp joins as -infinity, so that it matches nothing (in an ASOF join condition
-- DuckDB would match a NULL to the newest feature row).
SELECT
  e.* EXCLUDE ("__duckfeat_row"),
  v1."recency_days" AS "recency_days",
  v1."monetary" AS "monetary",
  v2."index_level" AS "index_level"
FROM entities AS e
LEFT JOIN "pit_rfm" AS v1
  ON v1."__duckfeat_row" = e."__duckfeat_row"
LEFT JOIN "pit_market" AS v2
  ON v2."__duckfeat_row" = e."__duckfeat_row"
ORDER BY e."__duckfeat_row"
