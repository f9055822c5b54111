-- duckfeat point-in-time retrieval "global_view"
--   market: index_level
--   rfm: recency_days
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
-- market: one row per (feature timestamp);
-- rows tied on the feature timestamp go to the greatest "created_timestamp", then the smallest feature values.
"fv_market" AS (
  SELECT "event_timestamp" AS "__feature_ts", "index_level"
  FROM read_parquet($market_path)
  WHERE "event_timestamp" IS NOT NULL
  QUALIFY row_number() OVER (
    PARTITION BY "event_timestamp"
    ORDER BY "created_timestamp" DESC NULLS LAST, "index_level" ASC NULLS LAST
  ) = 1
),
-- rfm: one row per ("customer_id", feature timestamp);
-- rows tied on the feature timestamp go to the greatest "created_timestamp", then the smallest feature values.
"fv_rfm" AS (
  SELECT "customer_id", "event_timestamp" AS "__feature_ts", "recency_days"
  FROM read_parquet($rfm_path)
  WHERE "customer_id" IS NOT NULL
    AND "event_timestamp" IS NOT NULL
  QUALIFY row_number() OVER (
    PARTITION BY "customer_id", "event_timestamp"
    ORDER BY "created_timestamp" DESC NULLS LAST, "recency_days" ASC NULLS LAST, "monetary" ASC NULLS LAST
  ) = 1
)
-- Each entity row joined, per view, to the newest feature row at or before its timestamp
-- (same keys; NULL keys match nothing); a match older than the TTL counts as none. A NULL
-- timestamp joins as -infinity, so that it matches nothing (in an ASOF join condition
-- DuckDB would match a NULL to the newest feature row).
SELECT
  e.* EXCLUDE ("__duckfeat_row"),
  v1."index_level" AS "index_level",
  v1."__feature_ts" AS "market__event_timestamp",
  v2."recency_days" AS "recency_days",
  v2."__feature_ts" AS "rfm__event_timestamp"
FROM entities AS e
ASOF LEFT JOIN "fv_market" AS v1
  ON coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v1."__feature_ts"
ASOF LEFT JOIN "fv_rfm" AS v2
  ON e."customer_id" = v2."customer_id" AND coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v2."__feature_ts"
ORDER BY e."__duckfeat_row"
