import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFeatureView } from '../../src/definitions/types.js';
import { createInstance } from '../../src/duckdb/connection.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { type BruteView, bruteForce, type Value } from './brute-force.js';
import { createFixture, type Fixture } from './fixtures.js';

// The compiled query against the brute force on random data. Many cases go into one run:
// `case_id` is an extra join key, so one query checks a whole batch of cases at once.
const CASES_PER_BATCH = 40;
const BATCHES = 30;
const BASE = Date.UTC(2021, 0, 1) / 1000;

let fixture: Fixture;
let instance: Awaited<ReturnType<typeof createInstance>>;
beforeAll(async () => {
  fixture = await createFixture();
  instance = await createInstance({ threads: 2 });
});
afterAll(() => {
  instance?.closeSync();
  fixture?.cleanup();
});

interface ViewConfig {
  arity: 1 | 2;
  ttl: number;
  hasCreated: boolean;
}
interface BatchConfig {
  seed: number;
  views: ViewConfig[];
  asOf: number | null;
  ttlOverride: number | null;
  memoryEntities: boolean;
  /** Drop tied rows so every source is unique on (keys, ts): the path without dedup. */
  uniqueKeys: boolean;
}

const batchArbitrary: fc.Arbitrary<BatchConfig> = fc.record({
  seed: fc.integer(),
  views: fc.array(
    fc.record({
      arity: fc.constantFrom<1 | 2>(1, 2),
      ttl: fc.constantFrom(0, 0, 60, 300, 900),
      hasCreated: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  asOf: fc.option(fc.integer({ min: 0, max: 1500 }), { nil: null }),
  ttlOverride: fc.option(fc.constantFrom(0, 120), { nil: null }),
  memoryEntities: fc.boolean(),
  uniqueKeys: fc.boolean(),
});

/** A small deterministic PRNG (mulberry32), seeded by fast-check so failures replay. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function generate(config: BatchConfig) {
  const rand = prng(config.seed);
  const maybe = (p: number, value: () => Value): Value => (rand(100) < p ? null : value());
  const views: BruteView[] = config.views.map((v, i) => ({
    name: `v${i}`,
    keys: v.arity === 1 ? ['case_id', 'k1'] : ['case_id', 'k1', 'k2'],
    features: ['f1', 'f2'],
    ttlSeconds: i === 0 && config.ttlOverride !== null ? config.ttlOverride : v.ttl,
    hasCreated: v.hasCreated,
    rows: [],
  }));
  const entities: Record<string, Value>[] = [];
  for (let c = 0; c < CASES_PER_BATCH; c++) {
    for (const view of views) {
      const n = rand(26);
      for (let r = 0; r < n; r++) {
        (view.rows as Record<string, Value>[]).push({
          case_id: c,
          k1: maybe(10, () => rand(3)),
          k2: maybe(10, () => rand(3)),
          ts: maybe(3, () => 60 * rand(21)),
          created: maybe(10, () => 60 * rand(21)),
          f1: maybe(15, () => rand(4)),
          f2: maybe(15, () => [0.5, 1.5][rand(2)]!),
        });
      }
    }
    const n = 1 + rand(15);
    for (let r = 0; r < n; r++) {
      if (entities.length > 0 && rand(100) < 20) {
        entities.push({
          ...entities[entities.length - 1 - rand(Math.min(3, entities.length))]!,
          case_id: c,
        });
      } else {
        entities.push({
          case_id: c,
          k1: maybe(8, () => rand(3)),
          k2: maybe(8, () => rand(3)),
          event_timestamp: maybe(4, () => 60 * rand(26) + (rand(4) === 0 ? 30 : 0)),
        });
      }
    }
  }
  if (config.uniqueKeys) {
    for (const view of views) {
      const seen = new Set<string>();
      (view as { rows: BruteView['rows'] }).rows = view.rows.filter((row) => {
        const key = JSON.stringify([row['case_id'], row['k1'], row['k2'], row['ts']]);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
  }
  entities.forEach((e, i) => {
    e['row_no'] = i;
  });
  return { views, entities };
}

const sqlValue = (v: Value | undefined) => (v === null || v === undefined ? 'NULL' : String(v));
const ts = (column: string) =>
  `CASE WHEN ${column} IS NULL THEN NULL ELSE make_timestamp((${column} + ${BASE})::BIGINT * 1000000) END`;

async function writeParquet(
  connection: DuckDBConnection,
  path: string,
  columns: readonly string[],
  rows: readonly Readonly<Record<string, Value>>[],
  timestampColumns: readonly string[],
): Promise<void> {
  const types = columns.map((c) => `${c} ${c === 'f2' ? 'DOUBLE' : 'BIGINT'}`).join(', ');
  await connection.run(`CREATE OR REPLACE TEMP TABLE staging (${types})`);
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows
      .slice(i, i + 500)
      .map((row) => `(${columns.map((c) => sqlValue(row[c])).join(', ')})`)
      .join(', ');
    await connection.run(`INSERT INTO staging VALUES ${values}`);
  }
  const select = columns.map((c) => (timestampColumns.includes(c) ? `${ts(c)} AS ${c}` : c));
  await connection.run(
    `COPY (SELECT ${select.join(', ')} FROM staging) TO '${path}' (FORMAT parquet)`,
  );
}

async function checkBatch(
  config: BatchConfig,
  batch: number,
): Promise<{ cases: number; mismatches: string[]; undeduplicated: number; views: number }> {
  const { views, entities } = generate(config);
  const dir = fixture.root;
  const resolved: ResolvedFeatureView[] = [];
  let entityInput: Parameters<FeatureStore['getHistoricalFeatures']>[0]['entities'];
  const connection = await instance.connect();
  try {
    for (const view of views) {
      const path = join(dir, `prop-${batch}-${view.name}.parquet`);
      const columns = [
        'case_id',
        'k1',
        'k2',
        'ts',
        ...(view.hasCreated ? ['created'] : []),
        'f1',
        'f2',
      ];
      await writeParquet(connection, path, columns, view.rows, ['ts', 'created']);
      resolved.push({
        name: view.name,
        joinKeys: view.keys,
        features: [
          { name: 'f1', type: 'int64' },
          { name: 'f2', type: 'float64' },
        ],
        source: {
          path,
          format: 'parquet',
          timestampField: 'ts',
          ...(view.hasCreated ? { createdTimestampColumn: 'created' } : {}),
        },
        ttlSeconds: config.views[resolved.length]!.ttl,
      });
    }
    if (config.memoryEntities) {
      const column = (name: string) => entities.map((e) => e[name] ?? null);
      entityInput = {
        columns: {
          case_id: column('case_id'),
          row_no: column('row_no'),
          k1: column('k1'),
          k2: column('k2'),
          event_timestamp: entities.map((e) =>
            e['event_timestamp'] === null ? null : new Date((e['event_timestamp']! + BASE) * 1000),
          ),
        },
      };
    } else {
      entityInput = join(dir, `prop-${batch}-entities.parquet`);
      const columns = ['case_id', 'row_no', 'k1', 'k2', 'event_timestamp'];
      await writeParquet(connection, entityInput, columns, entities, ['event_timestamp']);
    }
  } finally {
    connection.closeSync();
  }

  const store = await FeatureStore.open({
    source: { readDefinitions: async () => ({ views: resolved, services: [] }) },
    paths: fixture.paths,
    instance,
    writeCompiled: false,
  });
  const job = await store.getHistoricalFeatures({
    entities: entityInput,
    features: views.map((v) => `${v.name}:*`),
    fullFeatureNames: true,
    freshness: true,
    rowId: true,
    ...(config.asOf !== null ? { asOf: new Date((config.asOf + BASE) * 1000) } : {}),
    ...(config.ttlOverride !== null ? { ttlOverride: { v0: config.ttlOverride } } : {}),
  });
  const result = await job.toColumns();
  await store.close();

  const expected = bruteForce(entities, views, config.asOf ?? undefined);
  const mismatches: string[] = [];
  if (result.rowCount !== entities.length)
    mismatches.push(`rows ${result.rowCount} != ${entities.length}`);
  const rowNo = result.columns['row_no'] as Float64Array;
  const rowId = result.columns['row_id'] as bigint[];
  expected.forEach((want, i) => {
    if (rowNo[i] !== i || rowId[i] !== BigInt(i + 1))
      mismatches.push(`row ${i}: order (row_no ${rowNo[i]})`);
    for (const [name, value] of Object.entries(want)) {
      const column = result.columns[name]!;
      let got: Value;
      if (column instanceof Float64Array) got = Number.isNaN(column[i]!) ? null : column[i]!;
      else {
        const d = column[i] as Date | null;
        got = d === null ? null : d.getTime() / 1000 - BASE;
      }
      if (got !== value) {
        mismatches.push(
          `batch seed ${config.seed} row ${i} ${JSON.stringify(entities[i])} ${name}: got ${got}, want ${value}`,
        );
      }
    }
  });
  const undeduplicated = (job.sql.match(/nothing to deduplicate/g) ?? []).length;
  return { cases: CASES_PER_BATCH, mismatches, undeduplicated, views: views.length };
}

describe('point-in-time retrieval vs brute force', () => {
  it(`matches on ${BATCHES * CASES_PER_BATCH} random cases`, async () => {
    let cases = 0;
    let batch = 0;
    let undeduplicated = 0;
    let views = 0;
    const mismatches: string[] = [];
    await fc.assert(
      fc.asyncProperty(batchArbitrary, async (config) => {
        const result = await checkBatch(config, batch++);
        cases += result.cases;
        undeduplicated += result.undeduplicated;
        views += result.views;
        mismatches.push(...result.mismatches.slice(0, 5));
        if (result.mismatches.length > 0) {
          throw new Error(
            `${result.mismatches.length} mismatches:\n${result.mismatches.slice(0, 5).join('\n')}`,
          );
        }
      }),
      { numRuns: BATCHES, endOnFailure: true },
    );
    expect(mismatches).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(1000);
    // Both paths ran: views checked unique (no dedup) and views deduplicated.
    expect(undeduplicated).toBeGreaterThan(0);
    expect(undeduplicated).toBeLessThan(views);
  });
});
