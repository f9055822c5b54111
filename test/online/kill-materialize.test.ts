import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProjectPaths, projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { OnlineFeatureStore } from '../../src/online/online-feature-store.js';
import type { OnlineStore } from '../../src/online/online-store.js';
import { openOnlineStore } from '../../src/online/open-online-store.js';
import { openRegistry } from '../../src/registry/registry.js';
import { PROJECT, run } from '../pipeline/project-copy.js';
import { TEST_PG_URL } from '../registry/backends.js';
import { makeProject } from '../repo/temp-repo.js';
import { REDIS_URL, randomPrefix } from './helpers.js';

// kill -9 in the middle of `duckfeat materialize`: readers never see an entity with values
// of two runs (embedded: the previous run whole), no interval is recorded for the killed
// run, and the next run succeeds. The CLI runs as a user runs it; the registry is a fresh
// schema of DUCKFEAT_TEST_PG_URL when set (fast to open), else the embedded one.
const KEYS = 50_000;
const T1 = '2024-01-01 00:00:00';
const T2 = '2024-02-01 00:00:00';

const REPOSITORY = `import { defineConfig, entity, featureView, fileSource } from 'duckfeat';
export const config = defineConfig({ project: 'killtest' });
export const item = entity({ name: 'item', joinKeys: ['item_id'], valueType: 'int64' });
export const big = featureView({
  name: 'big', entities: [item], ttl: 0,
  source: fileSource({ path: 'data/big.parquet', timestampField: 'event_timestamp' }),
  schema: { a: 'int64', b: 'float64' },
});
`;

describe('kill -9 during materialize', () => {
  let project: { root: string; cleanup(): void };
  let paths: ProjectPaths;
  const registryUrl = TEST_PG_URL
    ? `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}schema=t_${randomBytes(6).toString('hex')}`
    : undefined;
  const redisUrl = `${REDIS_URL}/?prefix=${randomPrefix()}`;

  /** `duckfeat <args>` in the project folder, from this checkout's bin/. */
  const duckfeat = (args: readonly string[], onlineUrl?: string) =>
    run(process.execPath, [join(PROJECT, 'bin', 'duckfeat.js'), ...args], project.root, {
      DUCKFEAT_REGISTRY_URL: registryUrl,
      DUCKFEAT_ONLINE_URL: onlineUrl,
    });

  /** Start `duckfeat --verbose materialize --end T2`; resolves once its second batch is sent. */
  const startRun = (onlineUrl?: string): Promise<ChildProcess> => {
    const child = spawn(
      process.execPath,
      [join(PROJECT, 'bin', 'duckfeat.js'), '--verbose', 'materialize', '--end', T2],
      {
        cwd: project.root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NO_COLOR: '1',
          DUCKFEAT_REGISTRY_URL: registryUrl,
          DUCKFEAT_ONLINE_URL: onlineUrl,
        },
      },
    );
    return new Promise((resolve, reject) => {
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/big: 2\d,\d{3} rows sent/.test(stderr)) resolve(child);
      });
      child.on('exit', (code) =>
        reject(new Error(`materialize ended (${code}) before it was killed:\n${stderr}`)),
      );
    });
  };

  beforeAll(async () => {
    project = makeProject({ 'feature_store/feature_store.ts': REPOSITORY });
    paths = projectPaths({ root: project.root });
    mkdirSync(join(paths.repo, 'data'));
    const path = join(paths.repo, 'data', 'big.parquet');
    await withConnection((c) =>
      c.run(
        `COPY (SELECT k AS item_id, TIMESTAMP '${T1}' + INTERVAL (run - 1) MONTH AS event_timestamp,
           k * 10 + run AS a, (k + run) / 8 AS b
         FROM range(${KEYS}) t(k), range(1, 3) r(run)) TO '${path}' (FORMAT parquet)`,
      ),
    );
    const applied = await duckfeat(['apply']);
    expect(applied.code, applied.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    const store = await openOnlineStore({ paths, config: { project: 'killtest' }, url: redisUrl });
    await store.clear().catch(() => {});
    await store.close();
    project?.cleanup();
  });

  /** Per run (1 or 2), how many entities have its values; fails on an entity with a mix. */
  async function runsSeen(store: OnlineStore): Promise<Map<number, number>> {
    const registry = await openRegistry({ paths, ...(registryUrl ? { url: registryUrl } : {}) });
    const online = await OnlineFeatureStore.open({ paths, source: registry, store });
    try {
      const counts = new Map<number, number>();
      const mixed: unknown[] = [];
      // In requests of 5,000 entities, as a client would send them.
      for (let from = 0; from < KEYS; from += 5000) {
        const ids = Array.from({ length: 5000 }, (_, i) => from + i);
        const response = await online.getOnlineFeatures({
          features: ['big:a', 'big:b'],
          entities: { item_id: ids },
        });
        const [, a, b] = response.results;
        ids.forEach((k, i) => {
          const run = (a!.values[i] as number) - k * 10;
          const ts = run === 1 ? '2024-01-01T00:00:00Z' : '2024-02-01T00:00:00Z';
          const row = [
            k,
            a!.values[i],
            b!.values[i],
            a!.event_timestamps[i],
            b!.event_timestamps[i],
          ];
          if (row[2] !== (k + run) / 8 || row[3] !== ts || row[4] !== ts) mixed.push(row);
          counts.set(run, (counts.get(run) ?? 0) + 1);
        });
      }
      expect(mixed.slice(0, 5)).toEqual([]);
      return counts;
    } finally {
      await online.close();
      await registry.close();
    }
  }

  async function recordedEnds(store: OnlineStore): Promise<string[]> {
    const registry = await openRegistry({ paths, ...(registryUrl ? { url: registryUrl } : {}) });
    try {
      const runs = await registry.listOnlineMaterializations({
        view: 'big',
        store: store.description,
      });
      return runs.map((r) => r.end);
    } finally {
      await registry.close();
    }
  }

  for (const kind of ['embedded', 'redis'] as const) {
    it(`${kind}: whole rows of one run per entity, nothing recorded, the next run succeeds`, async () => {
      const onlineUrl = kind === 'redis' ? redisUrl : undefined;
      const first = await duckfeat(['materialize', '--end', T1], onlineUrl);
      expect(first.code, first.stderr).toBe(0);

      const child = await startRun(onlineUrl);
      const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const store = await openOnlineStore({
        paths,
        config: { project: 'killtest' },
        ...(onlineUrl ? { url: onlineUrl } : {}),
      });
      try {
        const seen = await runsSeen(store);
        if (kind === 'embedded') {
          // One transaction per view: the killed run is invisible.
          expect(seen).toEqual(new Map([[1, KEYS]]));
        } else {
          // Killed after its second batch was sent: some entities have the new run's values.
          expect(seen.get(2)).toBeGreaterThanOrEqual(10_000);
          expect(seen.get(1)).toBeGreaterThan(0);
        }
        expect(await recordedEnds(store)).toEqual([T1]);

        const again = await duckfeat(['materialize', '--end', T2], onlineUrl);
        expect(again.code, again.stderr).toBe(0);
        expect(await runsSeen(store)).toEqual(new Map([[2, KEYS]]));
        expect(await recordedEnds(store)).toEqual([T1, T2]);
      } finally {
        await store.close();
      }
    }, 90_000);
  }
});
