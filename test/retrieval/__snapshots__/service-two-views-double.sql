-- duckfeat point-in-time retrieval "model_features"
--   rfm: recency_days, monetary
--   behavior: return_rate
-- entity timestamp "event_timestamp"; one output row per entity row, in input order
WITH
-- The entity rows, numbered in input order (the number orders the output), timestamps
-- as UTC TIMESTAMP.
entities AS (
  SELECT
    * EXCLUDE (file_row_number),
    file_row_number + 1 AS "__duckfeat_row"
  FROM read_parquet($entity_path, file_row_number := true)
),
-- rfm: one row per ("customer_id", feature timestamp);
-- rows tied on the feature timestamp go to the greatest "created_timestamp", then the smallest feature values.
"fv_rfm" AS (
  SELECT "customer_id", "event_timestamp" AS "__feature_ts", "recency_days", "monetary"
  FROM read_parquet($rfm_path)
  WHERE "customer_id" IS NOT NULL
    AND "event_timestamp" IS NOT NULL
  QUALIFY row_number() OVER (
    PARTITION BY "customer_id", "event_timestamp"
    ORDER BY "created_timestamp" DESC NULLS LAST, "recency_days" ASC NULLS LAST, "monetary" ASC NULLS LAST
  ) = 1
),
-- behavior: one row per ("customer_id", feature timestamp); the source was
-- checked to hold no two rows with the same keys and feature timestamp: nothing to deduplicate.
"fv_behavior" AS (
  SELECT "customer_id", "event_timestamp" AS "__feature_ts", "return_rate"
  FROM read_parquet($behavior_path)
  WHERE "customer_id" IS NOT NULL
    AND "event_timestamp" IS NOT NULL
)
-- Each entity row joined, per view, to the newest feature row at or before its timestamp
-- (same keys; NULL keys match nothing); a match older than the TTL counts as none. A NULL
-- timestamp joins as -infinity, so that it matches nothing (in an ASOF join condition
-- DuckDB would match a NULL to the newest feature row).
SELECT
  e.* EXCLUDE ("__duckfeat_row") REPLACE (CAST(e."label" AS DOUBLE) AS "label"),
  CAST(v1."recency_days" AS DOUBLE) AS "recency_days",
  CAST(v1."monetary" AS DOUBLE) AS "monetary",
  CAST(CASE WHEN v2."__feature_ts" >= e."event_timestamp" - to_seconds($behavior_ttl_seconds) THEN v2."return_rate" END AS DOUBLE) AS "return_rate"
FROM entities AS e
ASOF LEFT JOIN "fv_rfm" AS v1
  ON e."customer_id" = v1."customer_id" AND coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v1."__feature_ts"
ASOF LEFT JOIN "fv_behavior" AS v2
  ON e."customer_id" = v2."customer_id" AND coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v2."__feature_ts"
ORDER BY e."__duckfeat_row"
