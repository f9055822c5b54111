import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProjectPaths, projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { openRegistry } from '../../src/registry/registry.js';
import {
  deleteKeysUnder,
  keysUnder,
  spawnWorker,
  testPrefix,
  type WorkerProcess,
} from '../engine/bullmq-helpers.js';
import { PROJECT, run } from '../pipeline/project-copy.js';
import { TEST_PG_URL } from '../registry/backends.js';
import { makeProject } from '../repo/temp-repo.js';
import { REDIS_URL, randomPrefix } from './helpers.js';

// `duckfeat materialize --executor bullmq`: one task per view in one flow, run by
// `duckfeat worker` processes (started elsewhere than the project: tasks carry absolute
// paths and the store's location). With three workers and the one writing the big view
// killed -9 half-way, another worker takes the view over and the store ends up holding
// exactly what an in-process materialize writes; the runs are recorded in the registry.
const KEYS = 100_000;
const END = '2024-02-01 00:00:00';

const REPOSITORY = `import { defineConfig, entity, featureView, fileSource } from 'duckfeat';
export const config = defineConfig({ project: 'queued' });
export const item = entity({ name: 'item', joinKeys: ['item_id'], valueType: 'int64' });
export const big = featureView({
  name: 'big', entities: [item], ttl: 0,
  source: fileSource({ path: 'data/big.parquet', timestampField: 'event_timestamp' }),
  schema: { a: 'int64', b: 'float64', c: 'string' },
});
export const small = featureView({
  name: 'small', entities: [item], ttl: 0,
  source: fileSource({ path: 'data/small.parquet', timestampField: 'event_timestamp' }),
  schema: { x: 'float64', flag: 'bool' },
});
`;

describe('materialize on the bullmq executor', () => {
  let project: { root: string; cleanup(): void };
  let paths: ProjectPaths;
  const registryUrl = TEST_PG_URL
    ? `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}schema=t_${randomBytes(6).toString('hex')}`
    : undefined;
  const queuePrefix = testPrefix();
  const inProcess = randomPrefix();
  const queued = randomPrefix();
  const workerDir = join(tmpdir(), `duckfeat-workers-${randomBytes(4).toString('hex')}`);
  const workers: WorkerProcess[] = [];

  const duckfeat = (args: readonly string[], onlineUrl: string) =>
    run(process.execPath, [join(PROJECT, 'bin', 'duckfeat.js'), ...args], project.root, {
      DUCKFEAT_REGISTRY_URL: registryUrl,
      DUCKFEAT_ONLINE_URL: onlineUrl,
    });

  beforeAll(async () => {
    project = makeProject({ 'feature_store/feature_store.ts': REPOSITORY });
    paths = projectPaths({ root: project.root });
    mkdirSync(join(paths.repo, 'data'));
    mkdirSync(workerDir);
    await withConnection(async (c) => {
      // Three rows per key a day apart, in no particular order; some NULLs and odd text.
      await c.run(
        `COPY (SELECT k AS item_id, TIMESTAMP '2024-01-01' + to_days(d::INTEGER) AS event_timestamp,
           CASE WHEN (k + d) % 7 = 0 THEN NULL ELSE k * 10 + d END AS a,
           (k * 3 + d) / 7 AS b,
           CASE WHEN k % 5 = 0 THEN NULL ELSE 'v' || (k % 97) || chr(31) || d END AS c
         FROM range(${KEYS}) t(k), range(3) r(d) ORDER BY hash(k, d))
         TO '${join(paths.repo, 'data', 'big.parquet')}' (FORMAT parquet)`,
      );
      await c.run(
        `COPY (SELECT k AS item_id, TIMESTAMP '2024-01-15' + to_hours(d::INTEGER) AS event_timestamp,
           k / 3 + d AS x, (k + d) % 2 = 0 AS flag
         FROM range(0, ${KEYS}, 7) t(k), range(2) r(d))
         TO '${join(paths.repo, 'data', 'small.parquet')}' (FORMAT parquet)`,
      );
    });
    const applied = await duckfeat(['apply'], 'embedded');
    expect(applied.code, applied.stderr).toBe(0);
    for (let i = 0; i < 3; i++) {
      workers.push(
        spawnWorker(
          queuePrefix,
          ['--lock-duration', '2000', '--stalled-interval', '1000'],
          workerDir,
        ),
      );
    }
    await Promise.all(workers.map((w) => w.waitFor(/taking tasks/)));
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await deleteKeysUnder(queuePrefix);
    await deleteKeysUnder(inProcess);
    await deleteKeysUnder(queued);
    rmSync(workerDir, { recursive: true, force: true });
    project?.cleanup();
  });

  /** Every hash under a prefix, by its key without the prefix. */
  async function contents(prefix: string): Promise<Map<string, string>> {
    const keys = await keysUnder(prefix);
    const redis = new Redis(REDIS_URL);
    try {
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      const replies = (await pipeline.exec())!;
      // Fields sorted: views written at once (on two workers) interleave their HSETs.
      const sorted = (fields: Record<string, string>) =>
        JSON.stringify(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
      return new Map(
        keys.map((key, i) => [
          key.slice(prefix.length),
          sorted(replies[i]![1] as Record<string, string>),
        ]),
      );
    } finally {
      redis.disconnect();
    }
  }

  it('redis: three workers, one killed -9 mid-view, equal the in-process run', async () => {
    const reference = await duckfeat(
      ['materialize', '--end', END, '--json'],
      `${REDIS_URL}/?prefix=${inProcess}`,
    );
    expect(reference.code, reference.stderr).toBe(0);

    const coordinator = spawn(
      process.execPath,
      [
        join(PROJECT, 'bin', 'duckfeat.js'),
        '--verbose',
        'materialize',
        '--end',
        END,
        '--executor',
        'bullmq',
        '--redis',
        REDIS_URL,
        '--queue-prefix',
        queuePrefix,
      ],
      {
        cwd: project.root,
        env: {
          ...process.env,
          NO_COLOR: '1',
          DUCKFEAT_REGISTRY_URL: registryUrl,
          DUCKFEAT_ONLINE_URL: `${REDIS_URL}/?prefix=${queued}`,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    coordinator.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    let killed: WorkerProcess | undefined;
    coordinator.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Progress reaches the CLI from the worker; once big has rows written, kill its worker.
      if (!killed && /big: \d[\d,]* rows sent/.test(stderr)) {
        killed = workers.find((w) => /started materialize big/.test(w.log()));
        killed?.child.kill('SIGKILL');
      }
    });
    const code = await new Promise<number | null>((resolve) => coordinator.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/big: \d[\d,]* rows sent/);
    expect(killed, `${stderr}\n${workers.map((w) => w.log()).join('\n')}`).toBeDefined();
    expect(await killed!.exited).toBeNull();
    // Another worker took the view over once the dead one's lock expired.
    const others = workers.filter((w) => w !== killed);
    expect(others.some((w) => /completed materialize big/.test(w.log()))).toBe(true);

    expect(stdout).toMatch(
      `materialized 2 views, ${(KEYS + Math.ceil(KEYS / 7)).toLocaleString('en-US')} entity rows`,
    );

    const [expected, actual] = await Promise.all([contents(inProcess), contents(queued)]);
    expect(expected.size).toBe(KEYS);
    expect(actual.size).toBe(expected.size);
    const differing = [...expected].filter(([key, fields]) => actual.get(key) !== fields);
    expect(differing.slice(0, 3)).toEqual([]);

    const registry = await openRegistry({ paths, ...(registryUrl ? { url: registryUrl } : {}) });
    try {
      const runs = await registry.listOnlineMaterializations();
      expect(
        runs.filter((r) => r.store.includes(queued)).map((r) => [r.view, r.end, r.rows]),
      ).toEqual(
        expect.arrayContaining([
          ['big', END, KEYS],
          ['small', END, Math.ceil(KEYS / 7)],
        ]),
      );
    } finally {
      await registry.close();
    }
  }, 180_000);

  it('embedded: the workers write the same rows as an in-process run', async () => {
    const file = join(paths.repo, 'online', 'online.sqlite');
    const dump = () => {
      const db = new Database(file, { readonly: true });
      try {
        return ['big', 'small'].map((view) =>
          db.prepare(`SELECT * FROM "fv_${view}" ORDER BY 1`).raw(true).all(),
        );
      } finally {
        db.close();
      }
    };
    const viaQueue = await duckfeat(
      [
        'materialize',
        '--end',
        END,
        '--executor',
        'bullmq',
        '--redis',
        REDIS_URL,
        '--queue-prefix',
        queuePrefix,
      ],
      'embedded',
    );
    expect(viaQueue.code, viaQueue.stderr).toBe(0);
    const queuedRows = dump();
    rmSync(join(paths.repo, 'online'), { recursive: true, force: true });
    const inProcessRun = await duckfeat(['materialize', '--end', END], 'embedded');
    expect(inProcessRun.code, inProcessRun.stderr).toBe(0);
    const expected = dump();
    expect(expected[0]).toHaveLength(KEYS);
    expect(queuedRows[0]).toHaveLength(KEYS);
    expect(JSON.stringify(queuedRows) === JSON.stringify(expected)).toBe(true);
  }, 120_000);
});
