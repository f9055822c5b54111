import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPaths } from '../../src/config/paths.js';
import type {
  FeatureServiceDefinition,
  OnDemandFeatureViewDefinition,
  ResolvedFeatureView,
} from '../../src/definitions/types.js';
import { withConnection } from '../../src/duckdb/connection.js';
import type { DefinitionSource } from '../../src/retrieval/feature-store.js';

/** A temporary project root with the small hand-made feature views of the golden tests. */
export interface Fixture {
  readonly root: string;
  readonly views: ResolvedFeatureView[];
  readonly services: FeatureServiceDefinition[];
  readonly source: DefinitionSource;
  readonly paths: ReturnType<typeof projectPaths>;
  readonly entityPath: string;
  /** `views` and the views beyond them (market, typed). */
  readonly allViews: ResolvedFeatureView[];
  readonly onDemandViews: OnDemandFeatureViewDefinition[];
  cleanup(): void;
}

/**
 * rfm (customer_id; ttl 0): customer 1 has rows at 01-01 and two at 02-01 (created 02-01 and
 * 02-05: the later wins); customer 2 has two rows at 01-15 with equal created timestamps
 * (the smaller recency_days, 4, wins); a NULL-key row matches nothing.
 * behavior (customer_id; ttl 30 days): customer 1 at 01-10, customer 2 at 2020-11-01.
 * sales (store_id, product ← source column sku; TIMESTAMPTZ timestamps; ttl 0).
 */
export async function createFixture(): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'duckfeat-retrieval-'));
  const file = (name: string) => join(root, `${name}.parquet`);
  await withConnection(async (c) => {
    await c.run(`COPY (SELECT * FROM (VALUES
      (1::BIGINT, TIMESTAMP '2021-01-01', TIMESTAMP '2021-01-01', 10::BIGINT, 100.0::DOUBLE),
      (1, TIMESTAMP '2021-02-01', TIMESTAMP '2021-02-01', 20, 200.0),
      (1, TIMESTAMP '2021-02-01', TIMESTAMP '2021-02-05', 21, 210.0),
      (2, TIMESTAMP '2021-01-15', TIMESTAMP '2021-01-15', 5, 50.0),
      (2, TIMESTAMP '2021-01-15', TIMESTAMP '2021-01-15', 4, 99.0),
      (NULL, TIMESTAMP '2021-01-01', TIMESTAMP '2021-01-01', 1, 1.0)
    ) AS t(customer_id, event_timestamp, created_timestamp, recency_days, monetary))
    TO '${file('rfm')}' (FORMAT parquet)`);
    await c.run(`COPY (SELECT * FROM (VALUES
      (1::BIGINT, TIMESTAMP '2021-01-10', TIMESTAMP '2021-01-10', 0.5::DOUBLE, 3::BIGINT),
      (2, TIMESTAMP '2020-11-01', TIMESTAMP '2020-11-01', 0.1, 7)
    ) AS t(customer_id, event_timestamp, created_timestamp, return_rate, n_products))
    TO '${file('behavior')}' (FORMAT parquet)`);
    await c.run(`COPY (SELECT * FROM (VALUES
      ('s1', 'a', TIMESTAMPTZ '2021-01-01 02:00:00+02', 1.5::DOUBLE),
      ('s1', 'b', TIMESTAMPTZ '2021-01-01 00:00:00+00', 2.5),
      ('s2', 'a', TIMESTAMPTZ '2021-01-02 00:00:00+00', 3.5)
    ) AS t(store_id, sku, ts, units))
    TO '${file('sales')}' (FORMAT parquet)`);
    await c.run(`COPY (SELECT * FROM (VALUES
      (2::BIGINT, TIMESTAMP '2021-01-15', 1::BIGINT),
      (1, TIMESTAMP '2021-02-01', 1),
      (1, TIMESTAMP '2020-12-31', 0),
      (NULL, TIMESTAMP '2021-03-01', 0),
      (1, TIMESTAMP '2021-01-31 23:59:59', 0),
      (1, TIMESTAMP '2021-02-01', 1),
      (3, TIMESTAMP '2021-03-01', 0),
      (1, TIMESTAMP '2021-02-09', 1),
      (1, TIMESTAMP '2021-02-09 00:00:01', 1)
    ) AS t(customer_id, event_timestamp, label))
    TO '${file('entities')}' (FORMAT parquet)`);
    await c.run(`COPY (SELECT * FROM (VALUES
      (TIMESTAMP '2021-01-01', TIMESTAMP '2021-01-01', 1.0::DOUBLE),
      (TIMESTAMP '2021-02-01', TIMESTAMP '2021-02-01', 2.0),
      (TIMESTAMP '2021-02-01', TIMESTAMP '2021-02-03', 2.5)
    ) AS t(event_timestamp, created_timestamp, index_level))
    TO '${file('market')}' (FORMAT parquet)`);
  });
  const views: ResolvedFeatureView[] = [
    {
      name: 'rfm',
      joinKeys: ['customer_id'],
      features: [
        { name: 'recency_days', type: 'int64' },
        { name: 'monetary', type: 'float64' },
      ],
      source: {
        path: file('rfm'),
        format: 'parquet',
        timestampField: 'event_timestamp',
        createdTimestampColumn: 'created_timestamp',
      },
      ttlSeconds: 0,
    },
    {
      name: 'behavior',
      joinKeys: ['customer_id'],
      features: [
        { name: 'return_rate', type: 'float64' },
        { name: 'n_products', type: 'int64' },
      ],
      source: {
        path: file('behavior'),
        format: 'parquet',
        timestampField: 'event_timestamp',
        createdTimestampColumn: 'created_timestamp',
      },
      ttlSeconds: 30 * 86_400,
    },
    {
      name: 'sales',
      joinKeys: ['store_id', 'product'],
      features: [{ name: 'units', type: 'float64' }],
      source: {
        path: file('sales'),
        format: 'parquet',
        timestampField: 'ts',
        fieldMapping: { sku: 'product' },
      },
      ttlSeconds: 0,
    },
  ];
  // Beyond `views` (which the uniqueness tests list): a view without entities (one row per
  // timestamp), and a view of rfm's file declaring other types than the file has.
  const extraViews: ResolvedFeatureView[] = [
    {
      name: 'market',
      joinKeys: [],
      features: [{ name: 'index_level', type: 'float64' }],
      source: {
        path: file('market'),
        format: 'parquet',
        timestampField: 'event_timestamp',
        createdTimestampColumn: 'created_timestamp',
      },
      ttlSeconds: 0,
    },
    {
      name: 'typed',
      joinKeys: ['customer_id'],
      features: [
        { name: 'recency_days', type: 'float64' },
        { name: 'monetary', type: 'int64' },
      ],
      source: { ...views[0]!.source },
      ttlSeconds: 0,
    },
  ];
  const onDemandViews: OnDemandFeatureViewDefinition[] = [
    {
      kind: 'onDemandFeatureView',
      name: 'spend',
      sources: ['rfm'],
      requestSchema: [{ name: 'basket', type: 'float64' }],
      features: [
        { name: 'per_day', type: 'float64', expression: 'monetary / nullif(recency_days, 0)' },
        {
          name: 'basket_share',
          type: 'float64',
          expression: 'basket / (basket + coalesce(monetary, 0))',
        },
        { name: 'big_basket', type: 'bool', expression: 'basket > 100' },
      ],
    },
  ];
  const services: FeatureServiceDefinition[] = [
    { kind: 'featureService', name: 'model_features', features: ['rfm:*', 'behavior:return_rate'] },
  ];
  return {
    root,
    views,
    services,
    source: {
      readDefinitions: async () => ({ views: [...views, ...extraViews], services, onDemandViews }),
    },
    paths: projectPaths({ root }),
    entityPath: file('entities'),
    allViews: [...views, ...extraViews],
    onDemandViews,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Row objects with Dates as ISO text and bigints as numbers, for readable comparisons. */
export function plain(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        v instanceof Date ? v.toISOString().slice(0, 19) : typeof v === 'bigint' ? Number(v) : v,
      ]),
    ),
  );
}
