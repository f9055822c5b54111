/**
 * Every feature and label on a hand-built fixture whose answers were computed by hand
 * (the comments show the arithmetic). Cutoff C = 2011-04-01 10:00:00, so the feature
 * window is [2011-01-01 10:00:00, C) and the label window [C, 2011-05-01 10:00:00).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '../../src/duckdb/connection.js';
import { loadSqlFile, runSqlFile } from '../../src/engine/sql-file.js';
import { SQL_DIR, tempDir } from './helpers.js';

const C = '2011-04-01 10:00:00';

// customer, invoice, stock, quantity, time, unit price
const ROWS: [number, string, string, number, string, number][] = [
  // 1: one invoice in the window (two rows) + one purchase before it (tenure only)
  [1, 'A0', 'Z', 1, '2010-12-01 09:00:00', 1],
  [1, 'A1', 'X', 2, '2011-03-15 12:00:00', 5],
  [1, 'A1', 'Y', 1, '2011-03-15 12:00:00', 3],
  // 2: only a cancellation in the window (not in the population), buys in the label window
  [2, 'C100', 'X', -1, '2011-02-01 00:00:00', 5],
  [2, 'A2', 'X', 1, '2011-04-10 00:00:00', 5],
  // 3: a purchase exactly 90 days before C (in) and one exactly at C (label, not feature)
  [3, 'B1', 'Q', 4, '2011-01-01 10:00:00', 2.5],
  [3, 'B2', 'Q', 1, '2011-04-01 10:00:00', 100],
  // 4: gaps crossing midnight, a two-row invoice, a cancellation, buys just before C+30d
  [4, 'D1', 'P1', 1, '2011-03-01 23:59:00', 10],
  [4, 'D2', 'P2', 3, '2011-03-02 00:01:00', 2],
  [4, 'D2', 'P3', 1, '2011-03-02 00:05:00', 4],
  [4, 'D3', 'P1', 2, '2011-03-05 12:00:00', 5],
  [4, 'C200', 'P9', -1, '2011-03-10 08:00:00', 4],
  [4, 'D4', 'P1', 1, '2011-05-01 09:59:59', 1],
  // 5: one second before the window (tenure only), one in it; label rows only at C+30d
  //    (excluded) and a cancellation inside the label window (not a purchase)
  [5, 'E0', 'R', 1, '2011-01-01 09:59:59', 1],
  [5, 'E1', 'R', 1, '2011-02-01 00:00:00', 7],
  [5, 'C300', 'R', -1, '2011-04-05 00:00:00', 7],
  [5, 'E2', 'R', 1, '2011-05-01 10:00:00', 7],
];

let transactions: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  transactions = join(tmp.dir, 'fixture.parquet');
  const values = ROWS.map(
    ([c, inv, stock, q, t, p]) =>
      `(${c}, '${inv}', '${stock}', ${q}, TIMESTAMP '${t}', ${p}::DOUBLE)`,
  ).join(',\n');
  await withConnection((connection) =>
    connection.run(
      `COPY (
         SELECT invoice_no, stock_code, 'item' AS description, quantity::BIGINT AS quantity,
                invoice_date, unit_price, customer_id::BIGINT AS customer_id, 'UK' AS country,
                quantity * unit_price AS revenue, starts_with(invoice_no, 'C') AS is_cancellation
         FROM (VALUES ${values}) t(customer_id, invoice_no, stock_code, quantity, invoice_date, unit_price)
         ORDER BY invoice_date
       ) TO $target (FORMAT parquet)`,
      { target: transactions },
    ),
  );
});

afterAll(() => cleanup());

async function run(file: string, extra: Record<string, number> = {}) {
  return withConnection(async (connection) => {
    const sql = await loadSqlFile(join(SQL_DIR, file), { connection });
    const result = await runSqlFile(
      sql,
      { transactions, cutoff: C, feature_window_days: 90, ...extra },
      connection,
    );
    return result
      .getRowObjectsJson()
      .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, json(v)])))
      .sort((a, b) => Number(a['customer_id']) - Number(b['customer_id']));
  });
}

function json(v: unknown): unknown {
  return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

describe('feature SQL on the hand-computed fixture', () => {
  it('customer_rfm_features', async () => {
    expect(await run('features/customer_rfm_features.sql')).toEqual([
      // last row 03-15 12:00 → C: 16 d 22 h; first ever 2010-12-01 09:00 → C: 121 d 1 h
      {
        customer_id: 1,
        event_timestamp: C,
        recency_days: 16,
        frequency: 1,
        monetary: 13,
        tenure_days: 121,
      },
      // the row exactly 90 days before C counts (window start inclusive); the one at C does not
      {
        customer_id: 3,
        event_timestamp: C,
        recency_days: 90,
        frequency: 1,
        monetary: 10,
        tenure_days: 90,
      },
      // last 03-05 12:00 → 26 d 22 h; first 03-01 23:59 → 30 d 10 h; C200 not counted
      {
        customer_id: 4,
        event_timestamp: C,
        recency_days: 26,
        frequency: 3,
        monetary: 30,
        tenure_days: 30,
      },
      // 02-01 00:00 → 59 d 10 h; first ever 01-01 09:59:59 → 90 d 0 h 0 m 1 s
      {
        customer_id: 5,
        event_timestamp: C,
        recency_days: 59,
        frequency: 1,
        monetary: 7,
        tenure_days: 90,
      },
    ]);
  });

  it('customer_behavior_features', async () => {
    expect(await run('features/customer_behavior_features.sql')).toEqual([
      {
        customer_id: 1,
        event_timestamp: C,
        avg_order_value: 13, // 2×5 + 1×3
        avg_basket_size: 3,
        n_unique_products: 2,
        return_rate: 0,
        avg_days_between_purchases: 0, // one invoice
      },
      {
        customer_id: 3,
        event_timestamp: C,
        avg_order_value: 10,
        avg_basket_size: 4,
        n_unique_products: 1,
        return_rate: 0,
        avg_days_between_purchases: 0,
      },
      {
        customer_id: 4,
        event_timestamp: C,
        avg_order_value: 10, // D1 10, D2 6 + 4, D3 10
        avg_basket_size: 7 / 3, // 1, 3 + 1, 2
        n_unique_products: 3, // P1, P2, P3 (P9 only cancelled)
        return_rate: 0.25, // C200 of 4 distinct invoices
        // D1 23:59 → D2 00:01 is 0 whole days (a midnight crossing, not a day);
        // D2 00:01 → D3 03-05 12:00 is 3 d 11 h 59 m → 3; mean 1.5
        avg_days_between_purchases: 1.5,
      },
      {
        customer_id: 5,
        event_timestamp: C,
        avg_order_value: 7,
        avg_basket_size: 1,
        n_unique_products: 1,
        return_rate: 0,
        avg_days_between_purchases: 0,
      },
    ]);
  });

  it('purchase_labels: same population, label window [C, C + 30d)', async () => {
    expect(await run('labels/purchase_labels.sql', { label_window_days: 30 })).toEqual([
      { customer_id: 1, event_timestamp: C, purchased: 0 },
      { customer_id: 3, event_timestamp: C, purchased: 1 }, // the row exactly at C
      { customer_id: 4, event_timestamp: C, purchased: 1 }, // 05-01 09:59:59, 1 s before the end
      { customer_id: 5, event_timestamp: C, purchased: 0 }, // only at C + 30d and a cancellation
    ]);
  });
});
