import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { ProjectPaths } from '../../src/config/paths.js';
import { openRegistry, type Registry } from '../../src/registry/registry.js';

/** `DUCKFEAT_TEST_PG_URL`: a real PostgreSQL server to run every registry test against too. */
export const TEST_PG_URL = process.env['DUCKFEAT_TEST_PG_URL'] || undefined;

/** A registry backend under test; each `open` gets a fresh schema, so tests cannot see each other. */
export interface Backend {
  readonly name: 'pglite' | 'postgresql';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A new, empty registry (its own schema, fresh unless given). */
  open(
    paths: Pick<ProjectPaths, 'repo' | 'root'>,
    project: string,
    schema?: string,
  ): Promise<TestRegistry>;
}

export interface TestRegistry {
  registry: Registry;
  schema: string;
  /** Run SQL on the backend directly (to count rows independently of the registry code). */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

export function freshSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

function pgliteBackend(): Backend {
  let pglite: PGlite | undefined;
  return {
    name: 'pglite',
    async start() {
      pglite = await PGlite.create();
    },
    async stop() {
      await pglite?.close();
    },
    async open(paths, project, schema = freshSchema()) {
      const registry = await openRegistry({ paths, project, pglite: pglite!, schema });
      return {
        registry,
        schema,
        query: async (sql, params) => (await pglite!.query(sql, params)).rows as never,
      };
    },
  };
}

function postgresBackend(url: string): Backend {
  let pool: pg.Pool | undefined;
  return {
    name: 'postgresql',
    async start() {
      pool = new pg.Pool({ connectionString: url, max: 2 });
    },
    async stop() {
      await pool?.end();
    },
    async open(paths, project, schema = freshSchema()) {
      const registry = await openRegistry({ paths, project, url, schema });
      return {
        registry,
        schema,
        query: async (sql, params) => (await pool!.query(sql, params)).rows,
      };
    },
  };
}

/** PGlite always; PostgreSQL too when `DUCKFEAT_TEST_PG_URL` is set. */
export function backends(): Backend[] {
  return [pgliteBackend(), ...(TEST_PG_URL ? [postgresBackend(TEST_PG_URL)] : [])];
}
