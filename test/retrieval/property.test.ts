import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  OnDemandFeatureViewDefinition,
  ResolvedFeatureView,
} from '../../src/definitions/types.js';
import { createInstance } from '../../src/duckdb/connection.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import type { HistoricalFeaturesRequest } from '../../src/retrieval/request.js';
import { type BruteView, bruteForce, bruteSpine, type Value } from './brute-force.js';
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
  /** Join keys besides case_id; 0: a view without entities (no case_id either). */
  arity: 0 | 1 | 2;
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
  /** k1 as VARCHAR ('a', 'b', 'c') instead of BIGINT. */
  stringKeys: boolean;
  /** Entity rows given; or each with its own knowledge time (asOfColumn); or start/end. */
  mode: 'entities' | 'asOfColumn' | 'range';
  /** Request an on-demand view over v0 and a request column too. */
  onDemand: boolean;
}

const batchArbitrary: fc.Arbitrary<BatchConfig> = fc.record({
  seed: fc.integer(),
  views: fc.array(
    fc.record({
      arity: fc.constantFrom<0 | 1 | 2>(0, 1, 1, 2, 2),
      ttl: fc.constantFrom(0, 0, 60, 300, 900),
      hasCreated: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  asOf: fc.option(fc.integer({ min: 0, max: 1500 }), { nil: null }),
  ttlOverride: fc.option(fc.constantFrom(0, 120), { nil: null }),
  memoryEntities: fc.boolean(),
  uniqueKeys: fc.boolean(),
  stringKeys: fc.boolean(),
  mode: fc.constantFrom<BatchConfig['mode']>('entities', 'entities', 'asOfColumn', 'range'),
  onDemand: fc.boolean(),
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
  const key = () => (config.stringKeys ? 'abc'[rand(3)]! : rand(3));
  // start/end: the keyed views share one key set (the first keyed view's).
  const shared = config.views.find((v) => v.arity > 0)?.arity ?? 1;
  const arities = config.views.map((v) =>
    config.mode === 'range' && v.arity > 0 ? shared : v.arity,
  );
  const views: BruteView[] = config.views.map((v, i) => ({
    name: `v${i}`,
    keys: [[], ['case_id', 'k1'], ['case_id', 'k1', 'k2']][arities[i]!]!,
    features: ['f1', 'f2'],
    ttlSeconds: i === 0 && config.ttlOverride !== null ? config.ttlOverride : v.ttl,
    hasCreated: v.hasCreated,
    rows: [],
  }));
  const entities: Record<string, Value>[] = [];
  for (let c = 0; c < CASES_PER_BATCH; c++) {
    for (const view of views) {
      const n = view.keys.length === 0 ? rand(3) : rand(26);
      for (let r = 0; r < n; r++) {
        (view.rows as Record<string, Value>[]).push({
          ...(view.keys.length > 0
            ? { case_id: c, k1: maybe(10, key), k2: maybe(10, () => rand(3)) }
            : {}),
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
          k1: maybe(8, key),
          k2: maybe(8, () => rand(3)),
          event_timestamp: maybe(4, () => 60 * rand(26) + (rand(4) === 0 ? 30 : 0)),
          known_at: maybe(20, () => 60 * rand(26)),
          req: maybe(10, () => rand(5)),
        });
      }
    }
  }
  if (config.uniqueKeys) {
    for (const view of views) {
      const seen = new Set<string>();
      (view as { rows: BruteView['rows'] }).rows = view.rows.filter((row) => {
        const id = JSON.stringify([row['case_id'], row['k1'], row['k2'], row['ts']]);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
    }
  }
  entities.forEach((e, i) => {
    e['row_no'] = i;
  });
  return { views, entities };
}

/** The on-demand feature's expression, and the same computed in JS. */
const ON_DEMAND_EXPRESSION = 'coalesce(f1, 0) * 2 + coalesce(f2, 0.25) + req';
function onDemandValue(f1: Value, f2: Value, req: Value): Value {
  if (req === null) return null;
  return ((f1 as number | null) ?? 0) * 2 + ((f2 as number | null) ?? 0.25) + (req as number);
}

const sqlValue = (v: Value | undefined) =>
  v === null || v === undefined ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v);
const ts = (column: string) =>
  `CASE WHEN ${column} IS NULL THEN NULL ELSE make_timestamp((${column} + ${BASE})::BIGINT * 1000000) END`;

async function writeParquet(
  connection: DuckDBConnection,
  path: string,
  columns: readonly string[],
  rows: readonly Readonly<Record<string, Value>>[],
  timestampColumns: readonly string[],
  stringKeys: boolean,
): Promise<void> {
  const types = columns
    .map((c) => `${c} ${c === 'f2' ? 'DOUBLE' : c === 'k1' && stringKeys ? 'VARCHAR' : 'BIGINT'}`)
    .join(', ');
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
  const range = config.mode === 'range';
  const onDemand = config.onDemand && !range;
  let entityInput: HistoricalFeaturesRequest['entities'];
  const connection = await instance.connect();
  try {
    for (const view of views) {
      const path = join(dir, `prop-${batch}-${view.name}.parquet`);
      const columns = [
        ...(view.keys.length > 0 ? ['case_id', 'k1', 'k2'] : []),
        'ts',
        ...(view.hasCreated ? ['created'] : []),
        'f1',
        'f2',
      ];
      await writeParquet(
        connection,
        path,
        columns,
        view.rows,
        ['ts', 'created'],
        config.stringKeys,
      );
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
    const seconds = (v: Value) => (v === null ? null : new Date(((v as number) + BASE) * 1000));
    if (range) {
      entityInput = undefined;
    } else if (config.memoryEntities) {
      const column = (name: string) => entities.map((e) => e[name] ?? null);
      entityInput = {
        columns: {
          case_id: column('case_id'),
          row_no: column('row_no'),
          k1: column('k1'),
          k2: column('k2'),
          event_timestamp: entities.map((e) => seconds(e['event_timestamp'] ?? null)),
          known_at: entities.map((e) => seconds(e['known_at'] ?? null)),
          req: column('req'),
        },
      };
    } else {
      entityInput = join(dir, `prop-${batch}-entities.parquet`);
      const columns = ['case_id', 'row_no', 'k1', 'k2', 'event_timestamp', 'known_at', 'req'];
      await writeParquet(
        connection,
        entityInput,
        columns,
        entities,
        ['event_timestamp', 'known_at'],
        config.stringKeys,
      );
    }
  } finally {
    connection.closeSync();
  }
  const onDemandViews: OnDemandFeatureViewDefinition[] = [
    {
      kind: 'onDemandFeatureView',
      name: 'od',
      sources: ['v0'],
      requestSchema: [{ name: 'req', type: 'int64' }],
      features: [{ name: 'val', type: 'float64', expression: ON_DEMAND_EXPRESSION }],
    },
  ];

  const store = await FeatureStore.open({
    source: { readDefinitions: async () => ({ views: resolved, services: [], onDemandViews }) },
    paths: fixture.paths,
    instance,
    writeCompiled: false,
  });
  const [start, end] = [120, 960];
  const time = (v: number) => new Date((v + BASE) * 1000);
  const job = await store.getHistoricalFeatures({
    ...(range ? { start: time(start), end: time(end) } : { entities: entityInput! }),
    features: [...views.map((v) => `${v.name}:*`), ...(onDemand ? ['od:val'] : [])],
    fullFeatureNames: true,
    freshness: true,
    rowId: true,
    ...(config.asOf !== null && config.mode !== 'asOfColumn'
      ? { asOf: new Date((config.asOf + BASE) * 1000) }
      : {}),
    ...(config.mode === 'asOfColumn' ? { asOfColumn: 'known_at' } : {}),
    ...(config.ttlOverride !== null ? { ttlOverride: { v0: config.ttlOverride } } : {}),
  });
  const result = await job.toColumns();
  await store.close();

  const asOf =
    config.mode === 'asOfColumn'
      ? { column: 'known_at' }
      : config.asOf !== null
        ? config.asOf
        : undefined;
  const spine = range
    ? bruteSpine(views, start, end, typeof asOf === 'number' ? asOf : undefined)
    : entities;
  const expected = bruteForce(spine, views, asOf);
  if (onDemand) {
    expected.forEach((row, i) => {
      row['od__val'] = onDemandValue(row['v0__f1']!, row['v0__f2']!, spine[i]!['req'] ?? null);
    });
  }
  const mismatches: string[] = [];
  if (result.rowCount !== spine.length)
    mismatches.push(`rows ${result.rowCount} != ${spine.length}`);
  const rowId = result.columns['row_id'] as bigint[];
  const read = (name: string, i: number): Value => {
    const column = result.columns[name]!;
    if (column instanceof Float64Array) return Number.isNaN(column[i]!) ? null : column[i]!;
    const v = column[i];
    if (v instanceof Date) return v.getTime() / 1000 - BASE;
    if (typeof v === 'bigint') return Number(v);
    return (v ?? null) as Value;
  };
  spine.forEach((entity, i) => {
    if (rowId[i] !== BigInt(i + 1)) mismatches.push(`row ${i}: row_id ${rowId[i]}`);
    const identity = range ? Object.keys(entity) : ['row_no'];
    for (const name of identity) {
      if (read(name, i) !== entity[name]) {
        mismatches.push(`row ${i}: ${name} ${read(name, i)} != ${entity[name]}`);
      }
    }
    for (const [name, value] of Object.entries(expected[i]!)) {
      const got = read(name, i);
      if (got !== value) {
        mismatches.push(
          `batch seed ${config.seed} row ${i} ${JSON.stringify(entity)} ${name}: got ${got}, want ${value}`,
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
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(batchArbitrary, async (config) => {
        seen.add(config.mode);
        if (config.views.some((v) => v.arity === 0)) seen.add('view without entities');
        if (config.onDemand && config.mode !== 'range') seen.add('on demand');
        if (config.stringKeys) seen.add('string keys');
        if (config.stringKeys && config.views.some((v) => v.arity === 2)) seen.add('composite');
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
    // Every kind of request and definition was drawn (30 draws; each has p >= 1/4).
    expect([...seen].sort()).toEqual([
      'asOfColumn',
      'composite',
      'entities',
      'on demand',
      'range',
      'string keys',
      'view without entities',
    ]);
    // Both paths ran: views checked unique (no dedup) and views deduplicated.
    expect(undeduplicated).toBeGreaterThan(0);
    expect(undeduplicated).toBeLessThan(views);
  });
});
