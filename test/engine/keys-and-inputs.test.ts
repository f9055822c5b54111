/**
 * prep with a composite key of two entities (BIGINT customer_id × VARCHAR stock_code) and
 * named inputs (a file and a glob declared in `defineConfig({ inputs })`): output columns
 * and order come from the views' entities, values match a computation in plain TypeScript,
 * and an unknown or missing input names the SQL file:line and the declared inputs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { prep } from '../../src/engine/prep.js';
import { fingerprintFile, type TransactionsSource } from '../../src/engine/transactions.js';
import { SqlFileError } from '../../src/errors.js';
import { tempDir, writeRepository } from './helpers.js';

const REPOSITORY = (inputs: string, labelsSql = 'sql/labels/pair_labels.sql') => `
import { defineConfig, entity, featureService, featureView, fileSource, labelView } from 'duckfeat';
export const config = defineConfig({ project: 'pairs', inputs: ${inputs} });
export const customer = entity({ name: 'customer', joinKeys: ['customer_id'], valueType: 'int64' });
export const product = entity({ name: 'product', joinKeys: ['stock_code'], valueType: 'string' });
export const pairFeatures = featureView({
  name: 'pair_features', entities: [customer, product],
  schema: { units: 'int64', list_price: 'float64', returned: 'int64' },
  source: fileSource({ path: 'data/pair_features.parquet', timestampField: 'event_timestamp' }),
  transformation: 'sql/features/pair_features.sql',
});
export const model = featureService({ name: 'pair_model', features: [pairFeatures] });
export const pairLabels = labelView({
  name: 'pair_labels', entities: [customer, product], label: 'bought_again',
  transformation: '${labelsSql}', featureService: model,
});
`;

const FEATURES = `/*
name: pair_features
description: units bought per customer and product before the cutoff, with a price list and returns.
@param transactions VARCHAR  cleaned transactions
@param products VARCHAR  the price list (a declared input)
@param returns VARCHAR  returns, one file per month (a declared glob)
@param cutoff TIMESTAMP  the cutoff
*/
SELECT t.customer_id, t.stock_code, $cutoff AS event_timestamp,
       sum(t.quantity)::BIGINT AS units, any_value(p.list_price) AS list_price,
       (SELECT count(*) FROM read_parquet($returns) AS r
        WHERE r.customer_id = t.customer_id AND r.stock_code = t.stock_code)::BIGINT AS returned
FROM read_parquet($transactions) AS t
JOIN read_parquet($products) AS p USING (stock_code)
WHERE t.invoice_date < $cutoff
GROUP BY t.customer_id, t.stock_code
`;

const LABELS = `/*
name: pair_labels
@param transactions VARCHAR  cleaned transactions
@param cutoff TIMESTAMP  the cutoff
*/
SELECT DISTINCT customer_id, stock_code, $cutoff AS event_timestamp,
       (invoice_date >= $cutoff)::BIGINT AS bought_again
FROM read_parquet($transactions)
QUALIFY row_number() OVER (PARTITION BY customer_id, stock_code ORDER BY invoice_date DESC) = 1
`;

const CUTOFFS = ['2011-01-10 00:00:00', '2011-01-20 00:00:00'];
const STOCK = ['85123A', '22423', 'POST', '84879'];

let root: string;
let cleanup: () => Promise<void>;
let transactions: TransactionsSource;
const paths = () => projectPaths({ root });
/** Transactions as JS rows, for the reference computation. */
const rows: { customer: bigint; stock: string; quantity: number; day: number }[] = [];

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  for (let i = 0; i < 400; i++) {
    rows.push({
      customer: BigInt(12_000 + ((i * 7) % 23)),
      stock: STOCK[(i * 5) % STOCK.length]!,
      quantity: 1 + (i % 5),
      day: 1 + ((i * 11) % 28),
    });
  }
  await mkdir(join(root, 'sql', 'features'), { recursive: true });
  await mkdir(join(root, 'sql', 'labels'), { recursive: true });
  await mkdir(join(root, 'data', 'returns'), { recursive: true });
  await writeFile(join(root, 'sql/features/pair_features.sql'), FEATURES);
  await writeFile(join(root, 'sql/labels/pair_labels.sql'), LABELS);
  await writeRepository(root, {
    source: REPOSITORY(`{ products: 'data/products.parquet', returns: 'data/returns/*.parquet' }`),
  });
  await withConnection(async (c) => {
    const values = rows
      .map(
        (r) =>
          `(${r.customer}, '${r.stock}', ${r.quantity}, TIMESTAMP '2011-01-01' + INTERVAL ${r.day - 1} DAY)`,
      )
      .join(', ');
    await c.run(
      `COPY (SELECT customer_id::BIGINT AS customer_id, stock_code, quantity, invoice_date
             FROM (VALUES ${values}) t(customer_id, stock_code, quantity, invoice_date) ORDER BY invoice_date)
       TO $p (FORMAT parquet)`,
      { p: join(root, 'tx.parquet') },
    );
    await c.run(
      `COPY (SELECT stock_code, (1.5 * row_number() OVER (ORDER BY stock_code))::DOUBLE AS list_price
             FROM (VALUES ('85123A'), ('22423'), ('POST'), ('84879')) s(stock_code))
       TO $p (FORMAT parquet)`,
      { p: join(root, 'data/products.parquet') },
    );
    for (const [month, customer] of [
      ['01', 12_003],
      ['02', 12_010],
    ] as const) {
      await c.run(
        `COPY (SELECT ${customer}::BIGINT AS customer_id, '22423' AS stock_code) TO $p (FORMAT parquet)`,
        { p: join(root, `data/returns/2011-${month}.parquet`) },
      );
    }
  });
  transactions = await fingerprintFile(join(root, 'tx.parquet'));
});
afterAll(() => cleanup());

async function read(view: string) {
  return withConnection(async (c) => {
    const p = join(paths().featureData, `${view}.parquet`);
    const columns = (await c.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($p)', { p }))
      .getRowObjectsJson()
      .map((r) => `${r['column_name']} ${r['column_type']}`);
    const data = (await c.runAndReadAll('SELECT * FROM read_parquet($p)', { p })).getRowObjectsJS();
    return { columns, data };
  });
}

describe('prep with a composite key and named inputs', () => {
  it('writes the keys first, sorted by (event_timestamp, customer_id, stock_code), values as computed in TypeScript', async () => {
    const result = await prep({ paths: paths(), transactions, cutoffs: CUTOFFS });
    expect(result.computed).toBe(4);
    const { columns, data } = await read('pair_features');
    expect(columns).toEqual([
      'customer_id BIGINT',
      'stock_code VARCHAR',
      'event_timestamp TIMESTAMP',
      'created_timestamp TIMESTAMP',
      'units BIGINT',
      'list_price DOUBLE',
      'returned BIGINT',
    ]);
    const order = data.map((r) => [
      (r['event_timestamp'] as Date).getTime(),
      r['customer_id'] as bigint,
      r['stock_code'] as string,
    ]);
    const sorted = [...order].sort((a, b) =>
      a[0] !== b[0]
        ? Number(a[0]) - Number(b[0])
        : a[1] !== b[1]
          ? a[1]! < b[1]!
            ? -1
            : 1
          : String(a[2]) < String(b[2])
            ? -1
            : 1,
    );
    expect(order).toEqual(sorted);

    const prices = new Map([...STOCK].sort().map((s, i) => [s, 1.5 * (i + 1)]));
    const expected = new Map<string, { units: number; list_price: number; returned: number }>();
    for (const cutoff of CUTOFFS) {
      const cutoffDay = Number(cutoff.slice(8, 10));
      for (const r of rows) {
        if (r.day >= cutoffDay) continue;
        const key = `${cutoff}|${r.customer}|${r.stock}`;
        const e = expected.get(key) ?? {
          units: 0,
          list_price: prices.get(r.stock)!,
          returned:
            r.stock === '22423' && (r.customer === 12_003n || r.customer === 12_010n) ? 1 : 0,
        };
        e.units += r.quantity;
        expected.set(key, e);
      }
    }
    const actual = new Map(
      data.map((r) => [
        `${(r['event_timestamp'] as Date).toISOString().slice(0, 19).replace('T', ' ')}|${r['customer_id']}|${r['stock_code']}`,
        { units: Number(r['units']), list_price: r['list_price'], returned: Number(r['returned']) },
      ]),
    );
    expect(actual).toEqual(expected);

    const labels = await read('pair_labels');
    expect(labels.columns.slice(0, 4)).toEqual([
      'customer_id BIGINT',
      'stock_code VARCHAR',
      'event_timestamp TIMESTAMP',
      'created_timestamp TIMESTAMP',
    ]);
  });

  it('reuses its tasks, and recomputes the view when a file matched by a glob input changes', async () => {
    const again = await prep({ paths: paths(), transactions, cutoffs: CUTOFFS });
    expect([again.reused, again.computed]).toEqual([4, 0]);
    await withConnection((c) =>
      c.run(
        `COPY (SELECT 12003::BIGINT AS customer_id, 'POST' AS stock_code) TO $p (FORMAT parquet)`,
        {
          p: join(root, 'data/returns/2011-03.parquet'),
        },
      ),
    );
    const third = await prep({ paths: paths(), transactions, cutoffs: CUTOFFS });
    expect(new Set(third.tasks.filter((t) => !t.reused).map((t) => t.view))).toEqual(
      new Set(['pair_features']),
    );
  });

  it('refuses a $name that is not a declared input, naming file:line and the declared inputs', async () => {
    await writeRepository(root, { source: REPOSITORY(`{ products: 'data/products.parquet' }`) });
    const error = await prep({ paths: paths(), transactions, cutoffs: CUTOFFS }).catch((e) => e);
    expect(error).toBeInstanceOf(SqlFileError);
    expect((error as Error).message).toContain('$returns is neither a parameter prep supplies');
    expect((error as Error).message).toContain('declared inputs: products, transactions');
    expect((error as Error).message).toMatch(/pair_features\.sql:6\)$/);
  });

  it('refuses a declared input with no file, naming file:line and the declared inputs', async () => {
    await writeRepository(root, {
      source: REPOSITORY(`{ products: 'data/missing.parquet', returns: 'data/returns/*.parquet' }`),
    });
    const missing = await prep({ paths: paths(), transactions, cutoffs: CUTOFFS }).catch((e) => e);
    expect((missing as Error).message).toMatch(
      /^Failed to read input "products" \(data\/missing\.parquet\): .*no such file.*\(declared inputs: products, returns, transactions\) \(at .*pair_features\.sql:5\)$/,
    );
    await writeRepository(root, {
      source: REPOSITORY(`{ products: 'data/products.parquet', returns: 'data/none/*.parquet' }`),
    });
    const empty = await prep({ paths: paths(), transactions, cutoffs: CUTOFFS }).catch((e) => e);
    expect((empty as Error).message).toContain(
      'Failed to read input "returns" (data/none/*.parquet): the glob matches no file',
    );
  });

  it("refuses a label view whose SQL file's header names another view", async () => {
    await writeRepository(root, {
      source: REPOSITORY(
        `{ products: 'data/products.parquet', returns: 'data/returns/*.parquet' }`,
        'sql/features/pair_features.sql',
      ),
    });
    const error = await prep({ paths: paths(), transactions, cutoffs: CUTOFFS }).catch((e) => e);
    expect(error).toBeInstanceOf(SqlFileError);
    expect((error as Error).message).toMatch(
      /header names view pair_features, but it is the transformation of label view pair_labels/,
    );
  });
});
