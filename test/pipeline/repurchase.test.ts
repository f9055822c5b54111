/**
 * The second example repository, `examples/repurchase/` (customer × product re-purchase
 * within 30 days, a composite key of BIGINT customer_id and VARCHAR stock_code), run end to
 * end on the real data by `scripts/all.mjs --project`, its outputs checked against a
 * reference written here in SQL straight from the raw UCI file (its own cleaning, cutoffs,
 * windows and joins), not against the pipeline's own output.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '../../src/duckdb/connection.js';
import { pipeline, projectCopy, REAL_DATA, type RunResult } from './project-copy.js';

/** Cleaned rows and the rolling cutoffs, from the raw file (DESIGN.md's definitions). */
const REFERENCE_BASE = `
CREATE TABLE tx AS
  SELECT CustomerID::BIGINT AS customer, StockCode AS product, InvoiceNo AS invoice,
         Quantity AS qty, InvoiceDate AS at
  FROM raw
  WHERE CustomerID IS NOT NULL AND NOT starts_with(InvoiceNo, 'C');
CREATE TABLE cutoffs AS
  SELECT unnest(generate_series(lo + INTERVAL 90 DAY, hi - INTERVAL 30 DAY, INTERVAL 30 DAY)) AS c
  FROM (SELECT min(InvoiceDate) AS lo, max(InvoiceDate) AS hi FROM raw WHERE CustomerID IS NOT NULL);
-- pairs bought in the 30 days before each cutoff, and whether they are bought again after
CREATE TABLE ref_labels AS
  SELECT p.customer, p.product, p.c,
         CASE WHEN EXISTS (SELECT 1 FROM tx AS l WHERE l.customer = p.customer
                           AND l.product = p.product AND l.at >= p.c
                           AND l.at < p.c + INTERVAL 30 DAY) THEN 1 ELSE 0 END AS label
  FROM (SELECT DISTINCT t.customer, t.product, k.c FROM tx AS t JOIN cutoffs AS k
        ON t.at < k.c AND t.at >= k.c - INTERVAL 30 DAY) AS p;
-- per pair and cutoff: the pair's history before the cutoff, then its 90-day window
CREATE TABLE ref_pairs AS
  SELECT customer, product, c, orders, units,
         datediff('day', last_at, c) - CASE WHEN last_at + to_days(datediff('day', last_at, c)::INTEGER) > c THEN 1 ELSE 0 END AS recency,
         datediff('day', first_at, c) - CASE WHEN first_at + to_days(datediff('day', first_at, c)::INTEGER) > c THEN 1 ELSE 0 END AS tenure
  FROM (
    SELECT t.customer, t.product, k.c, max(t.at) AS last_at, min(t.at) AS first_at,
           count(DISTINCT t.invoice) FILTER (WHERE t.at >= k.c - INTERVAL 90 DAY) AS orders,
           coalesce(sum(t.qty) FILTER (WHERE t.at >= k.c - INTERVAL 90 DAY), 0) AS units
    FROM tx AS t JOIN cutoffs AS k ON t.at < k.c
    GROUP BY t.customer, t.product, k.c
  )
  WHERE last_at >= c - INTERVAL 90 DAY;
`;

const log = (r: RunResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

describe.skipIf(!existsSync(REAL_DATA))('examples/repurchase end to end on the real data', () => {
  let project: Awaited<ReturnType<typeof projectCopy>>;
  let result: RunResult;
  let example: string;

  beforeAll(async () => {
    project = await projectCopy();
    example = join(project.root, 'examples', 'repurchase');
    result = await pipeline(project.root, [
      '--project',
      'examples/repurchase',
      '--input',
      REAL_DATA,
    ]);
  }, 600_000);
  afterAll(() => project?.dispose());

  it('runs ingest, prep, apply, train and predict on the composite key', () => {
    expect(result.code, log(result)).toBe(0);
    for (const step of ['ingest', 'prep', 'apply', 'train', 'predict']) {
      expect(result.stdout).toContain(`▶ ${step}\n`);
    }
    expect(result.stdout).toContain('label view repurchase_labels (customer_id, stock_code)');
    expect(result.stdout).toContain('Pipeline finished');
  });

  it('labels, pair features and predictions agree with the reference computed from the raw file', async () => {
    const data = join(example, 'feature_store', 'data');
    const checks = await withConnection(
      async (c) => {
        await c.run('CREATE TABLE raw AS SELECT * FROM read_parquet($raw)', { raw: REAL_DATA });
        await c.run(REFERENCE_BASE);
        const one = async (sql: string, params: Record<string, string> = {}) =>
          (await c.runAndReadAll(sql, params)).getRowsJS()[0]!.map(Number);
        const labels = join(data, 'repurchase_labels.parquet');
        const pairs = join(data, 'customer_product_features.parquet');
        const predictions = join(example, 'models', 'predictions.parquet');
        return {
          labelColumns: (
            await c.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($p)', { p: labels })
          )
            .getRowsJS()
            .map((r) => `${r[0]} ${r[1]}`),
          // [reference rows, pipeline rows, rows of either missing from the other]
          labels: await one(
            `SELECT (SELECT count(*) FROM ref_labels), (SELECT count(*) FROM read_parquet($p)),
               (SELECT count(*) FROM (
                  (SELECT customer, product, c, label FROM ref_labels
                   EXCEPT ALL SELECT customer_id, stock_code, event_timestamp, repurchased FROM read_parquet($p))
                  UNION ALL
                  (SELECT customer_id, stock_code, event_timestamp, repurchased FROM read_parquet($p)
                   EXCEPT ALL SELECT customer, product, c, label FROM ref_labels)))`,
            { p: labels },
          ),
          pairs: await one(
            `SELECT (SELECT count(*) FROM ref_pairs), (SELECT count(*) FROM read_parquet($p)),
               (SELECT count(*) FROM (
                  (SELECT customer, product, c, orders, units, recency, tenure FROM ref_pairs
                   EXCEPT ALL SELECT customer_id, stock_code, event_timestamp, pair_orders, pair_units,
                                     pair_recency_days, pair_tenure_days FROM read_parquet($p))
                  UNION ALL
                  (SELECT customer_id, stock_code, event_timestamp, pair_orders, pair_units,
                          pair_recency_days, pair_tenure_days FROM read_parquet($p)
                   EXCEPT ALL SELECT customer, product, c, orders, units, recency, tenure FROM ref_pairs)))`,
            { p: pairs },
          ),
          // [reference pairs at the last cutoff, predictions, keys of either missing from the other,
          //  probabilities outside [0, 1], rows out of order, flags not p > 0.5]
          predictions: await one(
            `WITH last AS (SELECT customer, product FROM ref_labels WHERE c = (SELECT max(c) FROM cutoffs)),
                  p AS (SELECT row_number() OVER () AS i, * FROM read_parquet($p))
             SELECT (SELECT count(*) FROM last), (SELECT count(*) FROM p),
               (SELECT count(*) FROM ((SELECT * FROM last EXCEPT SELECT customer_id, stock_code FROM p)
                  UNION ALL (SELECT customer_id, stock_code FROM p EXCEPT SELECT * FROM last))),
               (SELECT count(*) FROM p WHERE NOT repurchase_probability BETWEEN 0 AND 1),
               (SELECT count(*) FROM (SELECT repurchase_probability < lead(repurchase_probability) OVER (ORDER BY i) AS bad FROM p) WHERE bad),
               (SELECT count(*) FROM p WHERE repurchase_predicted <> (repurchase_probability > 0.5))`,
            { p: predictions },
          ),
        };
      },
      { threads: 2 },
    );
    expect(checks.labelColumns).toEqual([
      'customer_id BIGINT',
      'stock_code VARCHAR',
      'event_timestamp TIMESTAMP',
      'created_timestamp TIMESTAMP',
      'repurchased BIGINT',
    ]);
    const [refLabels, labels, labelDiff] = checks.labels;
    expect(refLabels).toBeGreaterThan(200_000);
    expect([labels, labelDiff]).toEqual([refLabels, 0]);
    const [refPairs, pairs, pairDiff] = checks.pairs;
    expect([pairs, pairDiff]).toEqual([refPairs, 0]);
    const [refLast, predicted, ...bad] = checks.predictions;
    expect(refLast).toBeGreaterThan(10_000);
    expect(predicted).toBe(refLast);
    expect(bad).toEqual([0, 0, 0, 0]);
  }, 120_000);

  it('trains on every label row and holds out the last cutoff; the model beats chance', async () => {
    const metrics = JSON.parse(await readFile(join(example, 'models', 'metrics.json'), 'utf8')) as {
      metrics: { split: string; rows: number; rocAuc: number }[];
      dataSummary: { rows: number }[];
    };
    const test = metrics.metrics.find((m) => m.split === 'test')!;
    const train = metrics.metrics.find((m) => m.split === 'train')!;
    const rows = metrics.dataSummary.reduce((sum, c) => sum + c.rows, 0);
    expect(train.rows + test.rows).toBe(rows);
    expect(metrics.dataSummary.at(-1)!.rows).toBe(test.rows);
    expect(test.rocAuc).toBeGreaterThan(0.65);
    expect(existsSync(join(example, 'models', 'repurchase_model.txt'))).toBe(true);
    const compiled = await readFile(
      join(example, 'target', 'compiled', 'training_set.sql'),
      'utf8',
    );
    expect(compiled).toContain('"stock_code"');
  });
});
