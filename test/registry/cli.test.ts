import { execFile } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, PROJECT_ROOT } from '../repo/temp-repo.js';
import { freshSchema, TEST_PG_URL } from './backends.js';

const run = promisify(execFile);
const BIN = join(PROJECT_ROOT, 'bin', 'duckfeat.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI (`npm run build` first; `npm test` does) in `cwd`. */
async function duckfeat(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', DUCKFEAT_REGISTRY_URL: undefined, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A copy of the example repository (and its SQL) in a throwaway project. */
function exampleProject() {
  const project = makeProject({});
  cpSync(
    join(PROJECT_ROOT, 'feature_store', 'feature_store.ts'),
    join(project.root, 'feature_store', 'feature_store.ts'),
  );
  cpSync(join(PROJECT_ROOT, 'sql', 'features'), join(project.root, 'sql', 'features'), {
    recursive: true,
  });
  return project;
}

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

describe('registry CLI', () => {
  it('a failed connection never prints the password', async () => {
    const project = exampleProject();
    cleanups.push(project.cleanup);
    const password = 'Sup3r-Secret_pw';
    // Port 9 on loopback: nothing listens, the connection is refused at once.
    const url = `postgresql://feast:${password}@127.0.0.1:9/feast_registry`;
    for (const command of [['apply'], ['list', 'entities', '--verbose']]) {
      const result = await duckfeat(project.root, command, { DUCKFEAT_REGISTRY_URL: url });
      expect(result.code).toBe(1);
      const output = result.stdout + result.stderr;
      expect(output).not.toContain(password);
      expect(output).toContain('postgresql://feast:***@127.0.0.1:9/feast_registry');
      expect(output).toContain('host 127.0.0.1, port 9, database feast_registry');
    }
  });

  it('says how to fix a repository folder that does not load as ESM', async () => {
    const project = makeProject({}, { esm: false });
    cleanups.push(project.cleanup);
    cpSync(
      join(PROJECT_ROOT, 'feature_store', 'feature_store.ts'),
      join(project.root, 'feature_store', 'feature_store.ts'),
    );
    const result = await duckfeat(project.root, ['plan']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'must load as an ES module: add "type": "module" to the package.json above it',
    );
  });

  it('plan, apply, list, describe and teardown on the embedded registry', async () => {
    const project = exampleProject();
    cleanups.push(project.cleanup);
    const plan = await duckfeat(project.root, ['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ feature view customer_rfm_features');
    expect(plan.stdout).toContain('6 to add, 0 to change, 0 to delete.');
    expect((await duckfeat(project.root, ['apply'])).stdout).toContain('Applied.');
    expect(existsSync(join(project.root, 'feature_store', '.registry', 'pgdata'))).toBe(true);
    expect((await duckfeat(project.root, ['apply'])).stdout).toContain('No changes.');
    const list = await duckfeat(project.root, ['list', 'feature-views', '--json']);
    expect(JSON.parse(list.stdout).map((v: { name: string }) => v.name)).toEqual([
      'customer_behavior_features',
      'customer_rfm_features',
    ]);
    const described = JSON.parse((await duckfeat(project.root, ['describe', 'customer'])).stdout);
    expect(described).toMatchObject({ kind: 'entity', joinKeys: ['customer_id'] });
    expect((await duckfeat(project.root, ['teardown'])).stdout).toContain(
      'Removed project "retail"',
    );
    expect((await duckfeat(project.root, ['list', 'entities'])).stdout.trim()).toBe('(none)');
  });

  it('concurrent applies on the embedded registry wait for each other', async () => {
    const project = exampleProject();
    cleanups.push(project.cleanup);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => duckfeat(project.root, ['apply', '--json'])),
    );
    expect(results.map((r) => [r.code, r.stderr.match(/error.*/)?.[0]])).toEqual(
      results.map(() => [0, undefined]),
    );
    const changed = results.filter((r) => JSON.parse(r.stdout).changes.length > 0);
    expect(changed).toHaveLength(1);
    const views = JSON.parse(
      (await duckfeat(project.root, ['list', 'feature-views', '--json'])).stdout,
    );
    expect(views).toHaveLength(2);
  });

  it.skipIf(!TEST_PG_URL)(
    '8 concurrent applies on PostgreSQL all succeed and leave one copy of each object',
    async () => {
      const project = exampleProject();
      cleanups.push(project.cleanup);
      const schema = freshSchema();
      const url = `${TEST_PG_URL}${TEST_PG_URL!.includes('?') ? '&' : '?'}schema=${schema}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          duckfeat(project.root, ['apply', '--json', '--no-check-sources'], {
            DUCKFEAT_REGISTRY_URL: url,
          }),
        ),
      );
      expect(results.map((r) => [r.code, r.stderr])).toEqual(results.map(() => [0, '']));
      expect(results.filter((r) => JSON.parse(r.stdout).changes.length > 0)).toHaveLength(1);
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        const counts: Record<string, number> = {};
        for (const table of [
          'projects',
          'entities',
          'data_sources',
          'feature_views',
          'features',
          'feature_services',
        ]) {
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${schema}.${table}`);
          counts[table] = rows[0].n;
        }
        expect(counts).toEqual({
          projects: 1,
          entities: 1,
          data_sources: 2,
          feature_views: 2,
          features: 9,
          feature_services: 1,
        });
        const again = await duckfeat(project.root, ['apply'], { DUCKFEAT_REGISTRY_URL: url });
        expect(again.stdout).toContain('No changes.');
      } finally {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.end();
      }
    },
  );
});
