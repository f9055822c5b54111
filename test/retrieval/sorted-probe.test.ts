import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFeatureView } from '../../src/definitions/types.js';
import { createInstance } from '../../src/duckdb/connection.js';
import { sourceRelation } from '../../src/retrieval/source-relation.js';
import { sortedProbe, UniqueKeyChecks } from '../../src/retrieval/unique-keys.js';

// The uniqueness verdict (sorted-order probe first, hash-aggregate probe as the fallback)
// against a brute force over the rows: random composite keys and timestamps with many ties,
// NULLs, and files written in random, time-sorted or key-sorted order.
type Row = [number | null, number | null, number | null];

let dir: string;
let instance: Awaited<ReturnType<typeof createInstance>>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duckfeat-sorted-probe-'));
  instance = await createInstance({ threads: 2 });
});
afterAll(() => {
  instance?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function view(path: string): ResolvedFeatureView {
  return {
    name: 'v',
    joinKeys: ['a', 'b'],
    features: [{ name: 'x', type: 'int64' }],
    source: { path, format: 'parquet', timestampField: 'ts' },
    ttlSeconds: 0,
  };
}

/** True when no two rows without NULLs share (a, b, ts). */
function bruteForceUnique(rows: readonly Row[]): boolean {
  const seen = new Set<string>();
  for (const [a, b, ts] of rows) {
    if (a === null || b === null || ts === null) continue;
    const key = `${a}|${b}|${ts}`;
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function order(rows: Row[], how: 'as-is' | 'by-time' | 'by-keys'): Row[] {
  const n = (v: number | null) => (v === null ? -1 : v);
  const byTime = (x: Row, y: Row) => n(x[2]) - n(y[2]) || n(x[0]) - n(y[0]) || n(x[1]) - n(y[1]);
  const byKeys = (x: Row, y: Row) => n(x[0]) - n(y[0]) || n(x[1]) - n(y[1]) || n(x[2]) - n(y[2]);
  if (how === 'by-time') return [...rows].sort(byTime);
  if (how === 'by-keys') return [...rows].sort(byKeys);
  return rows;
}

const value = fc.option(fc.integer({ min: 0, max: 3 }), { freq: 8 });
const rowsArb = fc.array(fc.tuple(value, value, value), { minLength: 1, maxLength: 12 });

describe('source uniqueness checks', () => {
  it('agree with a brute force on random files in random, time-sorted and key-sorted order', async () => {
    let file = 0;
    let sortedDecided = 0;
    await fc.assert(
      fc.asyncProperty(
        rowsArb,
        fc.constantFrom('as-is', 'by-time', 'by-keys'),
        async (raw, how) => {
          const rows = order(raw as Row[], how as 'as-is' | 'by-time' | 'by-keys');
          const path = join(dir, `f${file++}.parquet`);
          const connection = await instance.connect();
          try {
            const values = rows
              .map(
                ([a, b, ts], i) =>
                  `(${a ?? 'NULL'}::BIGINT, ${b ?? 'NULL'}::BIGINT, ${ts === null ? 'NULL::TIMESTAMP' : `TIMESTAMP '2021-01-01' + INTERVAL ${ts} DAY`}, ${i}::BIGINT)`,
              )
              .join(', ');
            await connection.run(
              `COPY (SELECT * FROM (VALUES ${values}) AS t(a, b, ts, x)) TO '${path}' (FORMAT parquet)`,
            );
            const probe = sortedProbe(sourceRelation(view(path)));
            const counts = (await connection.runAndReadAll(probe.sql, probe.parameters))
              .getRows()[0]!
              .map(Number);
            if (counts.includes(0)) sortedDecided++;
            const unique = await new UniqueKeyChecks().uniqueViews(instance, [
              sourceRelation(view(path)),
            ]);
            expect(unique.has('v')).toBe(bruteForceUnique(rows));
          } finally {
            connection.closeSync();
          }
        },
      ),
      { numRuns: 150, seed: 20261126 },
    );
    // Both paths were exercised: some files were decided by the sorted probe alone.
    expect(sortedDecided).toBeGreaterThan(10);
    expect(sortedDecided).toBeLessThan(150);
  });

  it('compare each row with the one before it across row groups: a tie at a row-group boundary counts', async () => {
    // 200k rows in row groups of 2048, strictly increasing by (ts, a, b); then the same file
    // with the first row of one row group made equal to the last row of the one before. A
    // probe that compared rows only within a row group (or a parallel scan's chunk) would
    // miss the tie and call the file unique.
    const connection = await instance.connect();
    try {
      const write = async (path: string, tieAt: number) =>
        connection.run(
          `COPY (
             SELECT (o % 5)::BIGINT AS a, 0::BIGINT AS b,
                    TIMESTAMP '2021-01-01' + to_seconds(o) AS ts, o AS x
             FROM (SELECT CASE WHEN i = ${tieAt} THEN i - 1 ELSE i END AS o FROM range(200000) t(i))
           ) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
        );
      const unique = join(dir, 'big-unique.parquet');
      await write(unique, -1);
      const groups = (
        await connection.runAndReadAll(
          `SELECT row_group_num_rows FROM parquet_metadata('${unique}') GROUP BY row_group_id, row_group_num_rows ORDER BY row_group_id`,
        )
      )
        .getRows()
        .map((r) => Number(r[0]));
      expect(groups.length).toBeGreaterThan(50);
      const boundary = groups.slice(0, 40).reduce((a, b) => a + b, 0);
      const tied = join(dir, 'big-tied.parquet');
      await write(tied, boundary);
      const counts = async (path: string) => {
        const probe = sortedProbe(sourceRelation(view(path)));
        return (await connection.runAndReadAll(probe.sql, probe.parameters))
          .getRows()[0]!
          .map(Number);
      };
      expect((await counts(unique))[0]).toBe(0);
      expect((await counts(tied))[0]).toBe(1);
      const verdict = await new UniqueKeyChecks().uniqueViews(instance, [
        sourceRelation(view(tied)),
      ]);
      expect(verdict.has('v')).toBe(false);
    } finally {
      connection.closeSync();
    }
  });
});
