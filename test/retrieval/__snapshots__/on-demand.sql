-- duckfeat point-in-time retrieval "on_demand"
--   rfm: recency_days, monetary
--   spend (on demand): per_day, basket_share, big_basket
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
-- Each entity row joined, per view, to the newest feature row at or before its timestamp
-- (same keys; NULL keys match nothing); a match older than the TTL counts as none. A NULL
-- timestamp joins as -infinity, so that it matches nothing (in an ASOF join condition
-- DuckDB would match a NULL to the newest feature row).
retrieved AS (
  SELECT
    e."__duckfeat_row",
    e."customer_id" AS "__o0",
    e."event_timestamp" AS "__o1",
    e."known_at" AS "__o2",
    e."basket" AS "__o3",
    v1."monetary" AS "__o4",
    v1."recency_days" AS "__i0",
    v1."monetary" AS "__i1",
    e."basket" AS "__i2"
  FROM entities AS e
  ASOF LEFT JOIN "fv_rfm" AS v1
    ON e."customer_id" = v1."customer_id" AND coalesce(e."event_timestamp", '-infinity'::TIMESTAMP) >= v1."__feature_ts"
)
-- The on-demand features: their expressions over the inputs, by name, cast to the declared type.
SELECT
  "__o0" AS "customer_id",
  "__o1" AS "event_timestamp",
  "__o2" AS "known_at",
  "__o3" AS "basket",
  "__o4" AS "monetary",
  CAST((monetary / nullif(recency_days, 0)) AS DOUBLE) AS "per_day",
  CAST((basket / (basket + coalesce(monetary, 0))) AS DOUBLE) AS "basket_share",
  CAST((basket > 100) AS BOOLEAN) AS "big_basket"
FROM (
  SELECT *, "__i0" AS "recency_days", "__i1" AS "monetary", "__i2" AS "basket"
  FROM retrieved
)
ORDER BY "__duckfeat_row"
