import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstance } from '../../src/duckdb/connection.js';
import { readColumns } from '../../src/duckdb/read-columns.js';

// The fast column reader against node-api's own value-by-value conversion of the same
// result: several chunks, NULLs in every type, timestamps before 1970 with
// sub-millisecond parts (truncation toward zero), strings through the generic path.
let instance: Awaited<ReturnType<typeof createInstance>>;
beforeAll(async () => {
  instance = await createInstance({ threads: 2 });
});
afterAll(() => instance?.closeSync());

const SQL = `
  SELECT
    i,
    CASE WHEN i % 7 = 3 THEN NULL ELSE i * 1.5 - 3000 END::DOUBLE AS d,
    CASE WHEN i % 11 = 5 THEN NULL ELSE (i - 2500) * 4000000007 END::BIGINT AS b,
    CASE WHEN i % 13 = 1 THEN NULL
      ELSE make_timestamp((i - 3000)::BIGINT * 86400000123 + (i % 1000) - 500) END AS t,
    CASE WHEN i % 5 = 0 THEN NULL ELSE 'k' || i END AS s
  FROM range(5000) r(i)
  ORDER BY i`;

describe('readColumns', () => {
  for (const rows of [5000, 2048, 1, 0]) {
    it(`equals node-api's JS conversion (${rows} rows)`, async () => {
      const connection = await instance.connect();
      try {
        const sql = `SELECT * FROM (${SQL}) LIMIT ${rows}`;
        const got = await readColumns(connection, sql, {});
        const reader = await connection.runAndReadAll(sql);
        const want = reader.getColumnsObjectJS();
        expect(got.rowCount).toBe(rows);
        expect(got.names).toEqual(['i', 'd', 'b', 't', 's']);
        const d = got.columns['d'];
        expect(d).toBeInstanceOf(Float64Array);
        expect(d).toHaveLength(rows);
        expect([...(d as Float64Array)].map((x) => (Number.isNaN(x) ? null : x))).toEqual(
          want['d'],
        );
        for (const name of ['i', 'b', 't', 's']) expect(got.columns[name]).toEqual(want[name]);
        if (rows === 5000) {
          expect((got.columns['b'] as unknown[]).filter((x) => x === null)).toHaveLength(455);
        }
      } finally {
        connection.closeSync();
      }
    });
  }
});
