import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnlineStore } from '../../src/online/online-store.js';
import { openOnlineStore } from '../../src/online/open-online-store.js';
import { RedisOnlineStore } from '../../src/online/redis-store.js';
import { createServer, type DuckfeatServer } from '../../src/serving/create-server.js';
import { freePort, sleep, startRedis, stopChild } from '../online/redis-process.js';
import { PROJECT_ROOT } from '../repo/temp-repo.js';
import { daysAgo, type ServingProject, servingProject } from './fixture.js';

const request = { feature_service: 'stats_service', entities: { customer_id: [1] } };

async function get(server: DuckfeatServer) {
  const r = await server.app.inject({
    method: 'POST',
    url: '/get-online-features',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(request),
  });
  return { status: r.statusCode, body: r.json() };
}

describe('feature server lifecycle', () => {
  let project: ServingProject;
  beforeAll(async () => {
    project = await servingProject();
  });
  afterAll(() => project?.cleanup());

  it('answers 503 while Redis is down, without crashing, and recovers when it is back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const store = await RedisOnlineStore.open({
      url: `redis://127.0.0.1:${port}`,
      project: 'serving',
      commandTimeoutMs: 500,
    });
    const server = await createServer({ paths: project.paths, store, log: () => {} });
    try {
      const push = await server.app.inject({
        method: 'POST',
        url: '/push',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          push_source_name: 'stats',
          df: { customer_id: [1], event_timestamp: [daysAgo(1)], n_orders: [2], spend: [3] },
        }),
      });
      expect(push.statusCode).toBe(200);
      expect((await get(server)).status).toBe(200);

      await stopChild(redis);
      const down = await get(server);
      expect(down.status).toBe(503);
      expect(down.body.error).toMatch(/^Failed to read the online store: redis .* is unreachable/);
      const health = await server.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json().status).toBe('unavailable');
      const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/duckfeat_online_store_errors_total\{operation="read"\} [1-9]/);

      redis = await startRedis(port);
      let back: Awaited<ReturnType<typeof get>> | undefined;
      for (let i = 0; i < 60 && back?.status !== 200; i++) {
        await sleep(100);
        back = await get(server);
      }
      expect(back?.status).toBe(200);
      // The restarted Redis is empty (no persistence): the entity is simply not found.
      expect(back?.body.results[1].statuses).toEqual(['NOT_FOUND']);
    } finally {
      await server.close();
      await store.close();
      await stopChild(redis);
    }
  });

  it('close() lets a request in flight finish, then refuses connections', async () => {
    const real = await openOnlineStore({ paths: project.paths, config: { project: 'serving' } });
    let reads = 0;
    // The real store, its reads held back 300 ms so that one is in flight at close().
    const slow: OnlineStore = {
      description: real.description,
      beginWrite: (view) => real.beginWrite(view),
      read: async (reads_) => {
        reads++;
        await sleep(300);
        return real.read(reads_);
      },
      ping: () => real.ping(),
      clear: (views) => real.clear(views),
      close: () => real.close(),
    };
    const server = await createServer({
      paths: project.paths,
      store: slow,
      port: 0,
      log: () => {},
    });
    const url = await server.listen();
    try {
      const inFlight = fetch(`${url}/get-online-features`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      while (reads === 0) await sleep(5);
      const closed = server.close();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { results: unknown[] }).results).toHaveLength(3);
      await closed;
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    } finally {
      await server.close().catch(() => {});
      await real.close();
    }
  });

  it('`duckfeat serve` listens on 127.0.0.1, requires DUCKFEAT_SERVE_TOKEN, stops on SIGTERM', async () => {
    const token = 'cli-token-5b1e77';
    const child = spawn(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'duckfeat.js'), 'serve', '--port', '0'],
      {
        cwd: project.root,
        env: { ...process.env, NO_COLOR: '1', DUCKFEAT_SERVE_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    try {
      let url: string | undefined;
      for (let i = 0; i < 600 && !url; i++) {
        url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
        if (child.exitCode !== null) throw new Error(`serve exited: ${stdout}\n${stderr}`);
        await sleep(100);
      }
      expect(url, `${stdout}\n${stderr}`).toBeDefined();
      expect(stdout).toContain('token         required (DUCKFEAT_SERVE_TOKEN)');
      const call = (headers: Record<string, string>) =>
        fetch(`${url}/get-online-features`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(request),
        });
      expect((await call({})).status).toBe(401);
      expect((await call({ authorization: `Bearer ${token}` })).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('SIGTERM: finishing the requests in flight');
      expect(stdout).toContain('duckfeat serve: stopped');
      expect(stdout + stderr).not.toContain(token);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
