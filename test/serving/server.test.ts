import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConnection } from '../../src/duckdb/connection.js';
import type { OnlineStore } from '../../src/online/online-store.js';
import { openOnlineStore } from '../../src/online/open-online-store.js';
import { RedisOnlineStore } from '../../src/online/redis-store.js';
import { FeatureStore } from '../../src/retrieval/feature-store.js';
import { createServer, type DuckfeatServer } from '../../src/serving/create-server.js';
import { daysAgo, randomKeyPrefix, type ServingProject, servingProject } from './fixture.js';

const REDIS_URL = process.env['DUCKFEAT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const EPOCH = '1970-01-01T00:00:00Z';

interface FeastResponse {
  metadata: { feature_names: string[] };
  results: { values: unknown[]; statuses: string[]; event_timestamps: string[] }[];
}

/** POST JSON through `inject`; returns the status and the parsed body. */
async function post(server: DuckfeatServer, url: string, body: unknown, headers = {}) {
  const response = await server.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json() };
}

const isoUtc = (naive: string) => `${naive.replace(' ', 'T')}Z`;

// One project (registry, data, model) for the whole file: creating one takes seconds. The
// last describe changes its model and repository.
let project: ServingProject;
beforeAll(async () => {
  project = await servingProject();
});
afterAll(() => project?.cleanup());

describe.each(['embedded', 'redis'] as const)('feature server on the %s store', (kind) => {
  let store: OnlineStore;
  let server: DuckfeatServer;
  const recent = daysAgo(1);
  const old = daysAgo(100);

  beforeAll(async () => {
    store =
      kind === 'redis'
        ? await RedisOnlineStore.open({
            url: REDIS_URL,
            project: 'serving',
            keyPrefix: randomKeyPrefix(),
          })
        : await openOnlineStore({ paths: project.paths, config: { project: 'serving' } });
    server = await createServer({
      paths: project.paths,
      store,
      model: project.modelPath,
      predictFeatures: 'stats_service',
      log: () => {},
    });
    const pushed = await post(server, '/push', {
      push_source_name: 'stats',
      df: {
        customer_id: [1, 2, 3],
        event_timestamp: [recent, recent, old],
        n_orders: [4, null, 9],
        spend: [42.5, 7.125, 1],
      },
    });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await store?.clear();
    await store?.close();
  });

  it("answers Feast's JSON: join keys first, one column per feature, statuses and timestamps", async () => {
    const { status, body } = await post(server, '/get-online-features', {
      feature_service: 'stats_service',
      entities: { customer_id: [1, 2, 3, 99] },
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      metadata: { feature_names: ['customer_id', 'n_orders', 'spend'] },
      results: [
        {
          values: [1, 2, 3, 99],
          statuses: ['PRESENT', 'PRESENT', 'PRESENT', 'PRESENT'],
          event_timestamps: [EPOCH, EPOCH, EPOCH, EPOCH],
        },
        {
          values: [4, null, null, null],
          statuses: ['PRESENT', 'NULL_VALUE', 'OUTSIDE_MAX_AGE', 'NOT_FOUND'],
          event_timestamps: [isoUtc(recent), isoUtc(recent), isoUtc(old), EPOCH],
        },
        {
          values: [42.5, 7.125, null, null],
          statuses: ['PRESENT', 'PRESENT', 'OUTSIDE_MAX_AGE', 'NOT_FOUND'],
          event_timestamps: [isoUtc(recent), isoUtc(recent), isoUtc(old), EPOCH],
        },
      ],
    });
  });

  it('takes feature references and full feature names', async () => {
    const { status, body } = await post(server, '/get-online-features', {
      features: ['stats:spend', 'profile:segment'],
      entities: { customer_id: [1] },
      full_feature_names: true,
    });
    expect(status).toBe(200);
    const response = body as FeastResponse;
    expect(response.metadata.feature_names).toEqual([
      'customer_id',
      'stats__spend',
      'profile__segment',
    ]);
    expect(response.results[1]!.values).toEqual([42.5]);
    expect(response.results[2]!.statuses).toEqual(['NOT_FOUND']); // profile was never pushed
  });

  it('computes on-demand features from the fetched values and the request columns', async () => {
    const entities = { customer_id: [1, 2, 3, 99], basket: [10, 10, null, 5] };
    const { status, body } = await post(server, '/get-online-features', {
      feature_service: 'with_ratio',
      entities,
    });
    expect(status, JSON.stringify(body)).toBe(200);
    const response = body as FeastResponse;
    // The request column is not echoed; on-demand features come after the views'.
    expect(response.metadata.feature_names).toEqual([
      'customer_id',
      'n_orders',
      'spend',
      'spend_per_order',
      'basket_share',
    ]);
    // Worked out from the pushed rows: customer 2 has n_orders NULL, customer 3's row is
    // older than the TTL and 99 has none, so their stats inputs are NULL.
    expect(response.results[3]).toEqual({
      values: [42.5 / 4, null, null, null],
      statuses: ['PRESENT', 'NULL_VALUE', 'NULL_VALUE', 'NULL_VALUE'],
      event_timestamps: [EPOCH, EPOCH, EPOCH, EPOCH],
    });
    expect(response.results[4]).toEqual({
      values: [10 / 52.5, 10 / 17.125, null, 1],
      statuses: ['PRESENT', 'PRESENT', 'NULL_VALUE', 'PRESENT'],
      event_timestamps: [EPOCH, EPOCH, EPOCH, EPOCH],
    });

    const missing = await post(server, '/get-online-features', {
      features: ['ratio:basket_share'],
      entities: { customer_id: [1] },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(
      /^Failed to read request data: on-demand view "ratio" needs request column "basket"/,
    );

    // /predict reads the same service: the model's features are found among its columns.
    const scored = await post(server, '/predict', { feature_service: 'with_ratio', entities });
    expect(scored.status, JSON.stringify(scored.body)).toBe(200);
    const plain = await post(server, '/predict', {
      feature_service: 'stats_service',
      entities: { customer_id: entities.customer_id },
    });
    expect(scored.body.probabilities).toEqual(plain.body.probabilities);
    expect(scored.body.results).toEqual(response.results);
  });

  it("/predict gives the model's probabilities of the online values, and top-k contributions", async () => {
    const { status, body } = await post(server, '/predict', {
      feature_service: 'stats_service',
      entities: { customer_id: [1, 2, 99] },
      top_k: 1,
    });
    expect(status, JSON.stringify(body)).toBe(200);
    const expected = project.model.predictProba([
      Float64Array.from([4, Number.NaN]),
      Float64Array.from([42.5, 7.125]),
    ]);
    // Customer 99 has no row: no probability rather than a score of all-missing features.
    expect(body.probabilities).toEqual([expected[0], expected[1], null]);
    expect(body.metadata.feature_names).toEqual(['customer_id', 'n_orders', 'spend']);
    expect(body.metadata.model.features).toEqual(['n_orders', 'spend']);
    expect(body.results).toHaveLength(3);
    const phi = project.model.predictContrib([Float64Array.of(4), Float64Array.of(42.5)])[0]!;
    const top = Math.abs(phi[0]!) >= Math.abs(phi[1]!) ? 0 : 1;
    expect(body.contributions[0]).toEqual({
      bias: phi[2],
      top: [{ feature: ['n_orders', 'spend'][top], value: phi[top] }],
    });
  });
});

describe('feature server: bad input, auth, metrics, push, reloads', () => {
  let server: DuckfeatServer;
  const logged: string[] = [];
  const TOKEN = 'tok-3f9a-secret';

  beforeAll(async () => {
    server = await createServer({
      paths: project.paths,
      model: project.modelPath,
      predictFeatures: 'stats_service',
      token: TOKEN,
      bodyLimit: 4096,
      log: (line) => logged.push(line),
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  const auth = { authorization: `Bearer ${TOKEN}` };
  const ask = (url: string, body: unknown) => post(server, url, body, auth);

  it('401 without the bearer token or with another; /health needs none', async () => {
    const body = { feature_service: 'stats_service', entities: { customer_id: [1] } };
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: TOKEN }]) {
      const r = await post(server, '/get-online-features', body, headers);
      expect(r.status).toBe(401);
      expect(r.body.error).toMatch(/^Failed to authorize/);
      expect(JSON.stringify(r.body)).not.toContain(TOKEN);
    }
    expect((await ask('/get-online-features', body)).status).toBe(200);
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(401);
    const health = await server.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', model: { loaded: true } });
  });

  it.each([
    ['malformed JSON', '{"entities": {"customer_id": [1]', /not valid JSON/],
    ['no entities', { feature_service: 'stats_service' }, /entities/],
    ['entities not an object', { feature_service: 'stats_service', entities: [1] }, /entities/],
    [
      'an unknown feature service, with close names',
      { feature_service: 'stats_servce', entities: { customer_id: [1] } },
      /"stats_servce".*did you mean: stats_service/,
    ],
    [
      'an unknown feature, with close names',
      { features: ['stats:n_order'], entities: { customer_id: [1] } },
      /no feature "n_order".*did you mean: n_orders/,
    ],
    [
      'an unknown view, with close names',
      { features: ['stat:spend'], entities: { customer_id: [1] } },
      /no feature view "stat".*did you mean: stats/,
    ],
    [
      'a string for an int64 key',
      { feature_service: 'stats_service', entities: { customer_id: ['abc'] } },
      /join key "customer_id" is int64.*"abc"/,
    ],
    [
      'a fractional int64 key',
      { feature_service: 'stats_service', entities: { customer_id: [1.5] } },
      /join key "customer_id" is int64/,
    ],
    [
      'a missing join key',
      { feature_service: 'stats_service', entities: { user_id: [1] } },
      /needs join key "customer_id"/,
    ],
    [
      'both features and feature_service',
      {
        features: ['stats:spend'],
        feature_service: 'stats_service',
        entities: { customer_id: [1] },
      },
      /not both/,
    ],
    [
      'two columns of one name',
      { features: ['stats:spend', 'profile:spend'], entities: { customer_id: [1] } },
      /"spend" would appear twice/,
    ],
    [
      'an oversized body',
      { feature_service: 'stats_service', entities: { customer_id: Array(3000).fill(1) } },
      /too large/,
    ],
  ])('400 for %s, naming the problem', async (_what, body, message) => {
    const r = await ask('/get-online-features', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^Failed to /);
    expect(r.body.error).toMatch(message);
  });

  it('reads JSON whatever the content type (as Feast does: its examples use `curl -d`)', async () => {
    const form = await server.app.inject({
      method: 'POST',
      url: '/get-online-features',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
      payload: JSON.stringify({ feature_service: 'stats_service', entities: { customer_id: [1] } }),
    });
    expect(form.statusCode).toBe(200);
    expect(form.json().metadata.feature_names).toEqual(['customer_id', 'n_orders', 'spend']);
  });

  it('400 for a body that is not JSON, 404 for an unknown route, both as JSON errors', async () => {
    const text = await server.app.inject({
      method: 'POST',
      url: '/get-online-features',
      headers: { 'content-type': 'text/plain', ...auth },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(400);
    expect(text.json().error).toMatch(/not valid JSON/);
    const missing = await server.app.inject({ method: 'GET', url: '/nope', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toContain('no route GET /nope');
  });

  it('/push: online, offline (the source parquet gains the rows), both; unknown names listed', async () => {
    const at = daysAgo(2);
    const online = await ask('/push', {
      push_source_name: 'stats',
      df: { customer_id: [7], event_timestamp: [at], n_orders: [5], spend: [1.5] },
      to: 'online',
    });
    expect(online).toEqual({
      status: 200,
      body: { push_source_name: 'stats', to: 'online', rows: 1, feature_views: ['stats'] },
    });
    const read = await ask('/get-online-features', {
      features: ['stats:n_orders'],
      entities: { customer_id: [7] },
    });
    expect(read.body.results[1].values).toEqual([5]);

    const source = join(project.paths.featureData, 'stats.parquet');
    const offline = await ask('/push', {
      push_source_name: 'stats',
      df: {
        customer_id: [8, 9],
        event_timestamp: ['2021-02-01 00:00:00', '2021-02-01'],
        n_orders: [6, null],
        spend: [2, 3],
      },
      to: 'offline',
    });
    expect(offline.status, JSON.stringify(offline.body)).toBe(200);
    const rows = await withConnection(async (c) =>
      (
        await c.runAndReadAll(
          'SELECT customer_id, n_orders, spend, created_timestamp IS NOT NULL FROM read_parquet($p) ORDER BY customer_id',
          { p: source },
        )
      ).getRowsJS(),
    );
    expect(rows).toEqual([
      [1n, 3n, 30.5, true],
      [2n, 1n, 12.25, true],
      [8n, 6n, 2, true],
      [9n, null, 3, true],
    ]);
    // Nothing went online for the offline push.
    const notOnline = await ask('/get-online-features', {
      features: ['stats:n_orders'],
      entities: { customer_id: [8] },
    });
    expect(notOnline.body.results[1].statuses).toEqual(['NOT_FOUND']);
    // Retrieval reads the pushed rows.
    const offlineStore = await FeatureStore.open({
      paths: project.paths,
      writeCompiled: false,
      uniqueKeyCache: false,
      onWarning: () => {},
    });
    try {
      const job = await offlineStore.getHistoricalFeatures({
        entities: { rows: [{ customer_id: 8, event_timestamp: new Date('2021-02-02T00:00:00Z') }] },
        features: ['stats:n_orders'],
      });
      const { columns } = await job.toColumns();
      expect(Array.from(columns['n_orders'] as Float64Array)).toEqual([6]);
    } finally {
      await offlineStore.close();
    }

    const both = await ask('/push', {
      push_source_name: 'stats',
      df: { customer_id: [10], event_timestamp: [at], n_orders: [1], spend: [0.5] },
      to: 'online_and_offline',
    });
    expect(both.status).toBe(200);

    const unknown = await ask('/push', {
      push_source_name: 'stat',
      df: { customer_id: [1], event_timestamp: [at] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(
      /no feature view or data source "stat".*did you mean: stats/,
    );
    const badColumn = await ask('/push', {
      push_source_name: 'stats',
      df: { customer_id: [1], event_timestamp: [at], n_order: [1] },
    });
    expect(badColumn.status).toBe(400);
    expect(badColumn.body.error).toMatch(/column "n_order".*did you mean: n_orders/);
    const badValue = await ask('/push', {
      push_source_name: 'stats',
      df: { customer_id: [1], event_timestamp: [at], n_orders: ['many'] },
      to: 'offline',
    });
    expect(badValue.status).toBe(400);
    expect(badValue.body.error).toMatch(/do not fit its offline data/);
    const badTarget = await ask('/push', {
      push_source_name: 'stats',
      df: { customer_id: [1] },
      to: 'both',
    });
    expect(badTarget.status).toBe(400);
  });

  it('/metrics counts requests per route and status, with latency histograms', async () => {
    await ask('/get-online-features', {
      feature_service: 'stats_service',
      entities: { customer_id: [1] },
    });
    const r = await server.app.inject({ method: 'GET', url: '/metrics', headers: auth });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    const text = r.body;
    const count = (labels: string) =>
      Number(new RegExp(`duckfeat_http_requests_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('route="/get-online-features",method="POST",status="200"')).toBeGreaterThanOrEqual(
      2,
    );
    expect(count('route="/get-online-features",method="POST",status="400"')).toBeGreaterThanOrEqual(
      10,
    );
    expect(count('route="/get-online-features",method="POST",status="401"')).toBeGreaterThanOrEqual(
      3,
    );
    expect(text).toMatch(
      /duckfeat_http_request_duration_seconds_bucket\{le="0.005",route="\/get-online-features"\} \d+/,
    );
    expect(text).toContain('duckfeat_online_store_errors_total');
    expect(text).toContain('duckfeat_process_cpu_seconds_total');
  });

  it('picks up a new model file and a new apply without a restart', async () => {
    const before = (await server.app.inject({ method: 'GET', url: '/health' })).json();
    // A model on spend only, written atomically as `duckfeat train` does.
    const { trainGBDT } = await import('../../src/training/gbdt.js');
    const { saveModel } = await import('../../src/training/model-file.js');
    const spend = Float64Array.from({ length: 200 }, (_, i) => i);
    const model = await trainGBDT({
      features: [spend],
      featureNames: ['spend'],
      label: Uint8Array.from(spend, (s) => (s > 50 ? 1 : 0)),
      params: { num_iterations: 3, min_data_in_leaf: 5 },
    });
    await saveModel(model, project.modelPath);
    await server.reload();
    const after = (await server.app.inject({ method: 'GET', url: '/health' })).json();
    expect(after.model.loaded).toBe(true);
    expect(after.model.modified_at).not.toBe(before.model.modified_at);
    const predicted = await ask('/predict', {
      feature_service: 'stats_service',
      entities: { customer_id: [7] },
    });
    expect(predicted.status).toBe(200);
    expect(predicted.body.metadata.model.features).toEqual(['spend']);
    expect(predicted.body.probabilities).toEqual(
      Array.from(model.predictProba([Float64Array.of(1.5)])),
    );

    // A new feature service, applied by another registry user while the server runs.
    const repoFile = join(project.paths.repo, 'feature_store.ts');
    const text = await readFile(repoFile, 'utf8');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      repoFile,
      `${text}\nexport const spendOnly = featureService({ name: 'spend_only', features: ['stats:spend'] });\n`,
    );
    const request = { feature_service: 'spend_only', entities: { customer_id: [7] } };
    expect((await ask('/get-online-features', request)).status).toBe(400);
    await project.apply();
    await server.reload();
    const served = await ask('/get-online-features', request);
    expect(served.status, JSON.stringify(served.body)).toBe(200);
    expect(served.body.metadata.feature_names).toEqual(['customer_id', 'spend']);
    expect(logged.join('\n')).toContain('definitions reloaded');
    expect(logged.join('\n')).toContain('model reloaded');
    expect(logged.join('\n')).not.toContain(TOKEN);
  });
});
