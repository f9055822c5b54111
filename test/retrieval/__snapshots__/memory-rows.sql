-- duckfeat point-in-time retrieval "memory"
--   rfm: monetary
-- entity timestamp "event_timestamp"; one output row per entity row, in input order
WITH
-- The entity rows, numbered in input order (the number orders the output), timestamps
-- as UTC TIMESTAMP.
-- They were given in memory (3 rows): the job loads them into a temporary table.
entities AS (
  SELECT
    *
  FROM "duckfeat_entity_rows"
),
-- rfm: one row per ("customer_id", feature timestamp);
-- rows tied on the feature timestamp go to the greatest "created_timestamp", then the smallest feature values.
"fv_rfm" AS (
  SELECT "customer_id", "event_timestamp" AS "__feature_ts", "monetary"
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
  v1."monetary" AS "monetary"
FROM entities AS e
ASOF LEFT JOIN "fv_rfm" AS v1
  ON e."customer_id" = v1."customer_id" AND coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v1."__feature_ts"
ORDER BY e."__duckfeat_row"
