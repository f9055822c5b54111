-- duckfeat point-in-time retrieval "composite"
--   sales: units
-- entity timestamp "seen_at"; one output row per entity row, in input order
WITH
-- The entity rows, numbered in input order (the number orders the output), timestamps
-- as UTC TIMESTAMP.
entities AS (
  SELECT
    * REPLACE (timezone('UTC', "seen_at") AS "seen_at"),
    row_number() OVER () AS "__duckfeat_row"
  FROM (
    SELECT * FROM (VALUES
      ('s1', 'a', TIMESTAMPTZ '2021-01-01 01:00:00+02'),
      ('s1', 'a', TIMESTAMPTZ '2021-01-01 00:00:00+00'),
      ('s1', 'b', TIMESTAMPTZ '2021-01-01 00:00:00+00'),
      ('s2', 'a', TIMESTAMPTZ '2021-01-03 00:00:00+00'),
      ('s2', 'b', TIMESTAMPTZ '2021-01-03 00:00:00+00'),
      (NULL, 'a', TIMESTAMPTZ '2021-01-03 00:00:00+00')
    ) AS t(store_id, product, seen_at)
  )
),
-- sales: one row per ("store_id", "product", feature timestamp); the source was
-- checked to hold no two rows with the same keys and feature timestamp: nothing to deduplicate.
"fv_sales" AS (
  SELECT "store_id", "sku" AS "product", timezone('UTC', "ts") AS "__feature_ts", "units"
  FROM read_parquet($sales_path)
  WHERE "store_id" IS NOT NULL
    AND "sku" IS NOT NULL
    AND "ts" IS NOT NULL
)
-- Each entity row joined, per view, to the newest feature row at or before its timestamp
-- (same keys; NULL keys match nothing); a match older than the TTL counts as none. A NULL
-- timestamp joins as -infinity, so that it matches nothing (in an ASOF join condition
-- DuckDB would match a NULL to the newest feature row).
SELECT
  e.* EXCLUDE ("__duckfeat_row"),
  v1."units" AS "units"
FROM entities AS e
ASOF LEFT JOIN "fv_sales" AS v1
  ON e."store_id" = v1."store_id" AND e."product" = v1."product" AND coalesce(e."seen_at", '-infinity'::TIMESTAMP) >= v1."__feature_ts"
ORDER BY e."__duckfeat_row"
