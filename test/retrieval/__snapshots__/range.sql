-- duckfeat point-in-time retrieval "range"
--   rfm: recency_days, monetary
--   behavior: return_rate
--   market: index_level
-- entity timestamp "event_timestamp"; one output row per entity row, in order of keys and timestamp
WITH
-- The entity rows: every (keys, feature timestamp) of the views with $start <= feature
-- timestamp <= $end, numbered in order of keys, then timestamp.
entities AS (
  SELECT *, row_number() OVER (ORDER BY "customer_id", "event_timestamp") AS "__duckfeat_row"
  FROM (
    SELECT DISTINCT "customer_id", "__feature_ts" AS "event_timestamp" FROM (
      SELECT "customer_id", "event_timestamp" AS "__feature_ts"
      FROM read_parquet($rfm_path)
      WHERE "customer_id" IS NOT NULL
        AND "event_timestamp" IS NOT NULL
        AND "event_timestamp" >= $start::TIMESTAMP
        AND "event_timestamp" <= $end::TIMESTAMP
        AND "created_timestamp" <= $as_of::TIMESTAMP
    )
    UNION
    SELECT DISTINCT "customer_id", "__feature_ts" AS "event_timestamp" FROM (
      SELECT "customer_id", "event_timestamp" AS "__feature_ts"
      FROM read_parquet($behavior_path)
      WHERE "customer_id" IS NOT NULL
        AND "event_timestamp" IS NOT NULL
        AND "event_timestamp" >= $start::TIMESTAMP
        AND "event_timestamp" <= $end::TIMESTAMP
        AND "created_timestamp" <= $as_of::TIMESTAMP
    )
  )
),
-- rfm: one row per ("customer_id", feature timestamp), known by $as_of;
-- rows tied on the feature timestamp go to the greatest "created_timestamp", then the smallest feature values.
"fv_rfm" AS (
  SELECT "customer_id", "event_timestamp" AS "__feature_ts", "recency_days", "monetary"
  FROM read_parquet($rfm_path)
  WHERE "customer_id" IS NOT NULL
    AND "event_timestamp" IS NOT NULL
    AND "created_timestamp" <= $as_of::TIMESTAMP
  QUALIFY row_number() OVER (
    PARTITION BY "customer_id", "event_timestamp"
    ORDER BY "created_timestamp" DESC NULLS LAST, "recency_days" ASC NULLS LAST, "monetary" ASC NULLS LAST
  ) = 1
),
-- behavior: one row per ("customer_id", feature timestamp), known by $as_of; the source was
-- checked to hold no two rows with the same keys and feature timestamp: nothing to deduplicate.
"fv_behavior" AS (
  SELECT "customer_id", "event_timestamp" AS "__feature_ts", "return_rate"
  FROM read_parquet($behavior_path)
  WHERE "customer_id" IS NOT NULL
    AND "event_timestamp" IS NOT NULL
    AND "created_timestamp" <= $as_of::TIMESTAMP
),
-- market: one row per (feature timestamp), known by $as_of;
-- rows tied on the feature timestamp go to the greatest "created_timestamp", then the smallest feature values.
"fv_market" AS (
  SELECT "event_timestamp" AS "__feature_ts", "index_level"
  FROM read_parquet($market_path)
  WHERE "event_timestamp" IS NOT NULL
    AND "created_timestamp" <= $as_of::TIMESTAMP
  QUALIFY row_number() OVER (
    PARTITION BY "event_timestamp"
    ORDER BY "created_timestamp" DESC NULLS LAST, "index_level" ASC NULLS LAST
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
  CASE WHEN v2."__feature_ts" >= e."event_timestamp" - to_seconds($behavior_ttl_seconds) THEN v2."return_rate" END AS "return_rate",
  v3."index_level" AS "index_level"
FROM entities AS e
ASOF LEFT JOIN "fv_rfm" AS v1
  ON e."customer_id" = v1."customer_id" AND coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v1."__feature_ts"
ASOF LEFT JOIN "fv_behavior" AS v2
  ON e."customer_id" = v2."customer_id" AND coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v2."__feature_ts"
ASOF LEFT JOIN "fv_market" AS v3
  ON coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v3."__feature_ts"
ORDER BY e."__duckfeat_row"
