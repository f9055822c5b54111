import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFeatureView } from '../../src/definitions/types.js';
import { createInstance } from '../../src/duckdb/connection.js';
import { readUniqueStamp } from '../../src/duckdb/unique-stamp.js';
import { writeStampedOutput } from '../../src/engine/stamped-output.js';
import { sourceRelation } from '../../src/retrieval/source-relation.js';
import { UniqueKeyChecks } from '../../src/retrieval/unique-keys.js';

// prep's outputs carry a uniqueness stamp exactly when their rows are unique on (keys,
// timestamp), checked against a brute force over random partitions; retrieval takes the
// stamp instead of probing, and probes a file whose stamp no longer matches it (rows added or
// dropped by another writer) or that another writer rewrote without it.
type Row = [number | null, number | null, number];

let dir: string;
let instance: Awaited<ReturnType<typeof createInstance>>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duckfeat-stamped-output-'));
  instance = await createInstance({ threads: 2 });
});
afterAll(() => {
  instance?.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function view(path: string): ResolvedFeatureView {
  return {
    name: 'v',
    joinKeys: ['customer_id'],
    features: [{ name: 'x', type: 'int64' }],
    source: { path, format: 'parquet', timestampField: 'event_timestamp' },
    ttlSeconds: 0,
  };
}

/** True when no two rows without NULLs share (customer_id, event_timestamp). */
function bruteForceUnique(rows: readonly Row[]): boolean {
  const seen = new Set<string>();
  for (const [customer, ts] of rows) {
    if (customer === null || ts === null) continue;
    if (seen.has(`${customer}|${ts}`)) return false;
    seen.add(`${customer}|${ts}`);
  }
  return true;
}

const values = (rows: readonly Row[]) =>
  rows
    .map(
      ([c, ts, x]) =>
        `(${c ?? 'NULL'}::BIGINT, ${ts === null ? 'NULL::TIMESTAMP' : `TIMESTAMP '2021-01-01' + INTERVAL ${ts} DAY`}, ${x}::BIGINT)`,
    )
    .join(', ');

let file = 0;
async function writePartitions(partitions: readonly (readonly Row[])[]): Promise<string[]> {
  const connection = await instance.connect();
  try {
    const paths: string[] = [];
    for (const rows of partitions) {
      const path = join(dir, `p${file++}.parquet`);
      await connection.run(
        `COPY (SELECT * FROM (VALUES ${values(rows)}) AS t(customer_id, event_timestamp, x)) TO '${path}' (FORMAT parquet)`,
      );
      paths.push(path);
    }
    return paths;
  } finally {
    connection.closeSync();
  }
}

async function combine(partitions: string[]) {
  const target = join(dir, `out${file++}.parquet`);
  const connection = await instance.connect();
  try {
    const rows = await writeStampedOutput(connection, partitions, target, {
      keys: ['customer_id'],
      timestamp: 'event_timestamp',
    });
    const read = await connection.runAndReadAll(
      `SELECT customer_id, epoch(event_timestamp), x FROM read_parquet('${target}')`,
    );
    const stamp = await readUniqueStamp(connection, target);
    return {
      target,
      rows,
      read: read.getRows().map((r) => r.map((v) => (v === null ? null : Number(v)))),
      stamp,
    };
  } finally {
    connection.closeSync();
  }
}

const cell = fc.option(fc.integer({ min: 0, max: 3 }), { freq: 10 });
const partitionArb = fc.array(fc.tuple(cell, fc.integer({ min: 0, max: 2 })), {
  minLength: 1,
  maxLength: 8,
});

describe('prep outputs with a uniqueness stamp', () => {
  it('are stamped exactly when unique, sorted, with every row (random partitions)', async () => {
    let stamped = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(partitionArb, { minLength: 1, maxLength: 3 }), async (raw) => {
        let x = 0;
        const partitions = raw.map((rows) => rows.map(([c, ts]) => [c, ts, x++] as Row));
        const all = partitions.flat();
        const out = await combine(await writePartitions(partitions));
        expect(out.rows).toBe(all.length);
        expect(out.read.map((r) => r[2]).sort((a, b) => a! - b!)).toEqual(all.map((r) => r[2]));
        // Sorted by (event_timestamp, customer_id), NULL customers last within a timestamp.
        const key = (r: (number | null)[]) => [r[1]!, r[0] === null ? Infinity : r[0]];
        for (let i = 1; i < out.read.length; i++) {
          const [t0, c0] = key(out.read[i - 1]!);
          const [t1, c1] = key(out.read[i]!);
          expect(t0! < t1! || (t0 === t1 && c0! <= c1!)).toBe(true);
        }
        const unique = bruteForceUnique(all);
        expect(out.stamp !== undefined).toBe(unique);
        if (out.stamp) {
          stamped++;
          expect(out.stamp.stamp).toEqual({
            keys: ['customer_id'],
            timestamp: 'event_timestamp',
            order: ['event_timestamp', 'customer_id'],
            rows: all.length,
          });
        }
        const verdict = await new UniqueKeyChecks().uniqueViews(instance, [
          sourceRelation(view(out.target)),
        ]);
        expect(verdict.has('v')).toBe(unique);
      }),
      { numRuns: 50, seed: 20261202 },
    );
    expect(stamped).toBeGreaterThan(5);
    expect(stamped).toBeLessThan(50);
  });

  it('are trusted by retrieval from the footer alone; a file that no longer matches its stamp is probed', async () => {
    const connection = await instance.connect();
    try {
      const unique = await combine(
        await writePartitions([
          [
            [1, 0, 1],
            [2, 0, 2],
          ],
          [
            [1, 1, 3],
            [2, 1, 4],
          ],
        ]),
      );
      expect(unique.stamp?.fileRows).toBe(4);
      // A file that holds a duplicate under a stamp with its row count is taken at its word:
      // this is what shows that the stamp, not a pass over the rows, decided.
      const forged = join(dir, 'forged.parquet');
      const stampText = JSON.stringify({ ...unique.stamp!.stamp });
      await connection.run(
        `COPY ((SELECT * FROM read_parquet('${unique.target}') LIMIT 2) UNION ALL (SELECT * FROM read_parquet('${unique.target}') LIMIT 2))
         TO '${forged}' (FORMAT parquet, KV_METADATA {"duckfeat.unique": $s})`,
        { s: stampText },
      );
      const checks = new UniqueKeyChecks();
      expect((await checks.uniqueViews(instance, [sourceRelation(view(forged))])).has('v')).toBe(
        true,
      );
      // Another writer kept the metadata but added a row that repeats one: the count differs.
      const grown = join(dir, 'grown.parquet');
      await connection.run(
        `COPY (SELECT * FROM read_parquet('${unique.target}') UNION ALL (SELECT * FROM read_parquet('${unique.target}') LIMIT 1))
         TO '${grown}' (FORMAT parquet, KV_METADATA {"duckfeat.unique": $s})`,
        { s: stampText },
      );
      expect((await checks.uniqueViews(instance, [sourceRelation(view(grown))])).has('v')).toBe(
        false,
      );
      // Rewritten without the stamp (a plain COPY), with a duplicate: probed, found.
      const rewritten = join(dir, 'rewritten.parquet');
      await connection.run(
        `COPY (SELECT * FROM read_parquet('${unique.target}') UNION ALL (SELECT * FROM read_parquet('${unique.target}') LIMIT 1))
         TO '${rewritten}' (FORMAT parquet)`,
      );
      expect((await checks.uniqueViews(instance, [sourceRelation(view(rewritten))])).has('v')).toBe(
        false,
      );
      // A stamp about other keys does not prove these.
      const otherKeys = join(dir, 'other-keys.parquet');
      await connection.run(
        `COPY (SELECT * FROM read_parquet('${forged}')) TO '${otherKeys}' (FORMAT parquet, KV_METADATA {"duckfeat.unique": $s})`,
        { s: JSON.stringify({ ...unique.stamp!.stamp, keys: ['x'] }) },
      );
      expect((await checks.uniqueViews(instance, [sourceRelation(view(otherKeys))])).has('v')).toBe(
        false,
      );
    } finally {
      connection.closeSync();
    }
  });
});
