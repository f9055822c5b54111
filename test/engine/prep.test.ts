/**
 * prep on the real UCI data: row counts, both executors agree, reuse, recomputing one
 * view, a failing task and an interrupted run leave the previous outputs intact, and a
 * second implementation in plain TypeScript (no SQL) agrees on a sample of customers.
 */
import { createHash } from 'node:crypto';
import { appendFile, cp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { prep } from '../../src/engine/prep.js';
import { fingerprintFile, type TransactionsSource } from '../../src/engine/transactions.js';
import { InterruptedError, TaskError } from '../../src/errors.js';
import { SQL_DIR, tempDir, writeCleanTransactions, writeRepository } from './helpers.js';
import { referenceFeatures, type TxRow } from './reference-features.js';

const VIEWS = ['customer_rfm_features', 'customer_behavior_features', 'purchase_labels'];
let root: string;
let cleanup: () => Promise<void>;
let transactions: TransactionsSource;
const paths = () => projectPaths({ root });

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  await cp(SQL_DIR, join(root, 'sql'), { recursive: true });
  await writeRepository(root);
  const path = join(root, 'transactions.parquet');
  await withConnection((c) => writeCleanTransactions(c, path), { threads: 2 });
  transactions = await fingerprintFile(path);
});
afterAll(() => cleanup());

async function outputHashes(): Promise<string[]> {
  return Promise.all(
    VIEWS.map(async (v) =>
      createHash('sha256')
        .update(await readFile(join(paths().featureData, `${v}.parquet`)))
        .digest('hex'),
    ),
  );
}

async function readOutput(view: string, exclude = 'created_timestamp') {
  return withConnection(async (c) => {
    const r = await c.runAndReadAll(`SELECT * EXCLUDE (${exclude}) FROM read_parquet($p)`, {
      p: join(paths().featureData, `${view}.parquet`),
    });
    return r.getRowObjectsJson();
  });
}

describe('prep on the real data', () => {
  it('writes 17,724 rows per output over 9 cutoffs, sorted, the pool agreeing with in-process', async () => {
    const result = await prep({ paths: paths(), transactions, executor: 'pool', workers: 2 });
    expect(result.cutoffs).toHaveLength(9);
    expect(result.computed).toBe(27);
    expect(result.outputs.map((o) => [o.view, o.rows]).sort()).toEqual(
      VIEWS.map((v) => [v, 17_724]).sort(),
    );
    const pooled = await Promise.all(VIEWS.map((v) => readOutput(v)));
    const again = await prep({ paths: paths(), transactions, executor: 'in-process', force: true });
    expect(again.computed).toBe(27);
    expect(await Promise.all(VIEWS.map((v) => readOutput(v)))).toEqual(pooled);
    for (const rows of pooled) {
      const keys = rows.map(
        (r) => `${r['event_timestamp']}|${String(r['customer_id']).padStart(8, '0')}`,
      );
      expect(keys).toEqual([...keys].sort());
    }
    const columns = await withConnection(async (c) =>
      (
        await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet($p)`, {
          p: join(paths().featureData, 'customer_rfm_features.parquet'),
        })
      )
        .getRowObjectsJson()
        .map((r) => `${r['column_name']} ${r['column_type']}`),
    );
    expect(columns).toEqual([
      'customer_id BIGINT',
      'event_timestamp TIMESTAMP',
      'created_timestamp TIMESTAMP',
      'recency_days BIGINT',
      'frequency BIGINT',
      'monetary DOUBLE',
      'tenure_days BIGINT',
    ]);
  });

  it('agrees with a plain TypeScript implementation on a sample of customers', async () => {
    const rows = await withConnection(async (c) => {
      const r = await c.runAndReadAll(
        `SELECT customer_id::DOUBLE AS customer_id, invoice_no, stock_code, quantity::DOUBLE AS quantity,
                epoch_us(invoice_date)::DOUBLE AS t, revenue, is_cancellation
         FROM read_parquet($p) WHERE customer_id % 37 = 5`,
        { p: transactions.path },
      );
      return r.getRowObjects() as unknown as TxRow[];
    });
    const cutoffs = (await readOutput('purchase_labels')).map((r) => String(r['event_timestamp']));
    const expected = referenceFeatures(rows, [...new Set(cutoffs)]);
    expect(expected.length).toBeGreaterThan(300);
    const actual = new Map<string, Record<string, unknown>>();
    for (const view of VIEWS) {
      for (const r of await readOutput(view)) {
        if (Number(r['customer_id']) % 37 !== 5) continue;
        const key = `${r['customer_id']}@${r['event_timestamp']}`;
        actual.set(key, { ...actual.get(key), ...r });
      }
    }
    expect(actual.size).toBe(expected.length);
    for (const want of expected) {
      const got = actual.get(`${want.customer_id}@${want.cutoff}`);
      expect(got, `${want.customer_id}@${want.cutoff}`).toBeDefined();
      for (const [k, v] of Object.entries(want)) {
        if (k === 'cutoff' || k === 'customer_id') continue;
        expect(Number(got![k]), `${k} of ${want.customer_id}@${want.cutoff}`).toBeCloseTo(
          v as number,
          6,
        );
      }
    }
  });

  it('reuses every task on a second run and recomputes only the view whose SQL changed', async () => {
    const mtimes = () =>
      Promise.all(
        VIEWS.map(async (v) => (await stat(join(paths().featureData, `${v}.parquet`))).mtimeMs),
      );
    const before = { hashes: await outputHashes(), mtimes: await mtimes() };
    const second = await prep({ paths: paths(), transactions });
    expect([second.reused, second.computed]).toEqual([27, 0]);
    expect(second.tasks.every((t) => t.reused)).toBe(true);
    // Unchanged outputs are not rewritten, and still report their rows.
    expect(await mtimes()).toEqual(before.mtimes);
    expect(second.outputs.map((o) => o.rows)).toEqual([17_724, 17_724, 17_724]);
    await appendFile(join(root, 'sql/features/customer_behavior_features.sql'), '\n-- touched\n');
    const third = await prep({ paths: paths(), transactions });
    expect([third.reused, third.computed]).toEqual([18, 9]);
    expect(new Set(third.tasks.filter((t) => !t.reused).map((t) => t.view))).toEqual(
      new Set(['customer_behavior_features']),
    );
    // Only that view's output changed (new created_timestamp); the others are the same files.
    const after = { hashes: await outputHashes(), mtimes: await mtimes() };
    VIEWS.forEach((view, i) => {
      const changed = view === 'customer_behavior_features';
      expect(after.hashes[i] !== before.hashes[i], view).toBe(changed);
      expect(after.mtimes[i] !== before.mtimes[i], view).toBe(changed);
    });
  });

  it('a failing task names file, cutoff and DuckDB reason, and leaves the outputs intact', async () => {
    const before = await outputHashes();
    const labels = join(root, 'sql/labels/purchase_labels.sql');
    const original = await readFile(labels, 'utf8');
    await writeFile(
      labels,
      original.replace(
        'SELECT DISTINCT customer_id FROM purchases WHERE invoice_date >= $cutoff',
        'SELECT DISTINCT no_such_column AS customer_id FROM purchases WHERE invoice_date >= $cutoff',
      ),
    );
    try {
      const error = await prep({ paths: paths(), transactions }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskError);
      expect((error as Error).message).toMatch(
        /purchase_labels at cutoff 2011-\d\d-\d\d \d\d:\d\d:\d\d \(.*purchase_labels\.sql\).*no_such_column/,
      );
      expect(await outputHashes()).toEqual(before);
    } finally {
      await writeFile(labels, original);
    }
  });

  it('an aborted run stops with InterruptedError and leaves the outputs intact', async () => {
    const before = await outputHashes();
    const controller = new AbortController();
    const error = await prep({
      paths: paths(),
      transactions,
      force: true,
      executor: 'pool',
      signal: controller.signal,
      onProgress: (e) => {
        if (e.kind === 'task') controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(await outputHashes()).toEqual(before);
  });

  it('runs explicit cutoffs (normalized, sorted, deduplicated) instead of the rolling ones', async () => {
    const result = await prep({
      paths: paths(),
      transactions,
      cutoffs: ['2011-03-31T08:26', '2011-03-01 08:26:00', '2011-03-31 08:26:00'],
    });
    expect(result.cutoffs).toEqual(['2011-03-01 08:26:00', '2011-03-31 08:26:00']);
    // The same per-cutoff rows as the rolling run's first two cutoffs (1,682 and 1,754).
    expect(result.outputs.map((o) => o.rows)).toEqual([3_436, 3_436, 3_436]);
    const bad = await prep({ paths: paths(), transactions, cutoffs: ['soon'] }).catch((e) => e);
    expect((bad as Error).message).toMatch(/cutoff "soon" is not a timestamp/);
  });
});
