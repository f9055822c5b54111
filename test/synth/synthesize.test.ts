import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { ingest } from '../../src/ingest/ingest.js';
import { synthesize } from '../../src/synth/synthesize.js';
import { duck } from '../ingest/uci-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duckfeat-synth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('synthesize', () => {
  it('is deterministic: the same seed writes the same bytes, another seed other rows', async () => {
    const paths = projectPaths({ root: dir });
    const a = await synthesize({ paths, customers: 500, seed: 7, out: join(dir, 'a.parquet') });
    const b = await synthesize({ paths, customers: 500, seed: 7, out: join(dir, 'b.parquet') });
    const c = await synthesize({ paths, customers: 500, seed: 8, out: join(dir, 'c.parquet') });
    expect(await readFile(a.path)).toEqual(await readFile(b.path));
    expect(c.rows).not.toBe(a.rows);
  });

  it('has the shape of Online Retail at the default size, and goes through ingest', async () => {
    const paths = projectPaths({ root: dir });
    const raw = await synthesize({ paths });
    expect(raw).toMatchObject({ path: paths.syntheticInput, customers: 4000, seed: 42 });
    const [shape] = await duck(
      `SELECT count(*)::DOUBLE, avg((InvoiceNo LIKE 'C%')::INT), avg((CustomerID IS NULL)::INT),
              bool_and(Quantity < 0) FILTER (WHERE InvoiceNo LIKE 'C%'),
              bool_and(Quantity > 0) FILTER (WHERE InvoiceNo NOT LIKE 'C%'),
              count(*) FILTER (WHERE NOT starts_with(InvoiceNo, 'C'))
                / count(DISTINCT InvoiceNo) FILTER (WHERE NOT starts_with(InvoiceNo, 'C')),
              date_diff('day', min(InvoiceDate), max(InvoiceDate)),
              median(UnitPrice), avg(UnitPrice), median(Quantity), quantile_cont(Quantity, 0.95)
       FROM read_parquet($p)`,
      { p: raw.path },
    );
    const [
      rows,
      cancelled,
      anonymous,
      negative,
      positive,
      lines,
      days,
      medPrice,
      avgPrice,
      medQty,
      q95,
    ] = shape!.map(Number);
    expect(rows).toBe(raw.rows);
    expect(rows).toBeGreaterThan(350_000);
    expect(rows).toBeLessThan(550_000);
    expect(cancelled).toBeGreaterThan(0.015);
    expect(cancelled).toBeLessThan(0.025);
    expect(anonymous).toBeGreaterThan(0.15);
    expect(anonymous).toBeLessThan(0.35);
    expect([negative, positive]).toEqual([1, 1]);
    expect(lines).toBeGreaterThan(15);
    expect(lines).toBeLessThan(25);
    expect(days).toBeGreaterThanOrEqual(360);
    expect(avgPrice).toBeGreaterThan(medPrice! * 1.2); // right-skewed prices
    expect(q95).toBeGreaterThan(medQty! * 3); // and quantities

    // a November peak: the busiest whole month, well above the average month
    const months = await duck(
      `SELECT month(InvoiceDate) AS m, count(*)::DOUBLE FROM read_parquet($p)
       WHERE InvoiceDate >= '2011-01-01' AND InvoiceDate < '2011-12-01' GROUP BY m ORDER BY 2 DESC`,
      { p: raw.path },
    );
    const mean = months.reduce((s, r) => s + Number(r[1]), 0) / months.length;
    expect(Number(months[0]![0])).toBe(11);
    expect(Number(months[0]![1])).toBeGreaterThan(1.4 * mean);

    const clean = await ingest({ input: raw.path, paths });
    expect(clean.customers).toBe(4000);
    expect(clean.rows).toBe(Math.round(rows! * (1 - anonymous!)));
  });

  it('implies a label that is learnable but not trivial', async () => {
    // DESIGN.md's cutoffs and label on the cleaned synthetic data; the ROC-AUC of a one-feature
    // score (90-day invoice count) must sit where it does on the real data (~0.68)
    const paths = projectPaths({ root: dir });
    const [auc] = await duck(
      `WITH t AS (SELECT * FROM read_parquet($p)),
       cut AS (SELECT min(invoice_date) + INTERVAL 90 DAY + INTERVAL (30 * i) DAY AS c
               FROM t, range(12) r(i) GROUP BY i
               HAVING c <= max(invoice_date) - INTERVAL 30 DAY),
       pop AS (SELECT c, customer_id, count(DISTINCT invoice_no) AS freq FROM cut JOIN t
               ON invoice_date >= c - INTERVAL 90 DAY AND invoice_date < c AND NOT is_cancellation
               GROUP BY c, customer_id),
       lab AS (SELECT p.freq, (count(t.customer_id) > 0)::INT AS y FROM pop p LEFT JOIN t
               ON t.customer_id = p.customer_id AND NOT t.is_cancellation
              AND t.invoice_date >= p.c AND t.invoice_date < p.c + INTERVAL 30 DAY
               GROUP BY p.c, p.customer_id, p.freq),
       ranked AS (SELECT y, rank() OVER (ORDER BY freq) + (count(*) OVER (PARTITION BY freq) - 1) / 2 AS r FROM lab)
       SELECT (sum(r) FILTER (WHERE y = 1) - sum(y) * (sum(y) + 1) / 2) / (sum(y) * (count(*) - sum(y)))
       FROM ranked`,
      { p: paths.transactions },
    );
    const value = Number(auc![0]);
    expect(value).toBeGreaterThan(0.6);
    expect(value).toBeLessThan(0.8);
  });
});
