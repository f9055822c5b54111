/**
 * prep's materializations in the registry (embedded PGlite, a fresh schema per test):
 * only computed tasks are written, a project not applied yet is recorded with a warning,
 * an unusable registry warns instead of failing.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import type { PrepTaskRecord } from '../../src/engine/prep.js';
import { recordMaterializations } from '../../src/pipeline/record-materializations.js';
import { openRegistry } from '../../src/registry/registry.js';
import { loadRepository } from '../../src/repo/load-repository.js';
import { PROJECT_ROOT } from '../repo/temp-repo.js';

const paths = projectPaths({ root: PROJECT_ROOT });
let pglite: PGlite;
beforeAll(async () => {
  pglite = await PGlite.create();
});
afterAll(() => pglite.close());

const schema = () => `t_${randomBytes(6).toString('hex')}`;

function records(): PrepTaskRecord[] {
  const base = {
    sqlSha256: 'a'.repeat(64),
    inputFingerprint: 'f'.repeat(64),
    createdTimestamp: '2026-01-02 03:04:05',
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:04:05.120Z',
    durationMs: 120,
  };
  return [
    {
      ...base,
      view: 'customer_rfm_features',
      cutoff: '2011-03-01 08:26:00',
      rows: 11,
      reused: false,
    },
    { ...base, view: 'purchase_labels', cutoff: '2011-03-01 08:26:00', rows: 12, reused: false },
    {
      ...base,
      view: 'customer_rfm_features',
      cutoff: '2011-03-31 08:26:00',
      rows: 13,
      reused: true,
    },
  ];
}

async function rows(s: string) {
  const result = await pglite.query<{ view_name: string; cutoff: string; rows: number }>(
    `SELECT view_name, cutoff::text AS cutoff, rows::int AS rows FROM ${s}.materializations ORDER BY rows`,
  );
  return result.rows;
}

describe('recordMaterializations', () => {
  it('records only the computed tasks, warning when the project is not applied yet', async () => {
    const s = schema();
    const outcome = await recordMaterializations({
      paths,
      records: records(),
      registry: { pglite, schema: s, project: 'retail' },
    });
    expect(outcome.recorded).toBe(2);
    expect(outcome.warning).toMatch(/project "retail" .*run `duckfeat apply`/);
    expect(await rows(s)).toEqual([
      { view_name: 'customer_rfm_features', cutoff: '2011-03-01 08:26:00', rows: 11 },
      { view_name: 'purchase_labels', cutoff: '2011-03-01 08:26:00', rows: 12 },
    ]);
  });

  it('records without a warning once the project is applied', async () => {
    const s = schema();
    const registry = await openRegistry({ paths, pglite, schema: s, project: 'retail' });
    try {
      await registry.apply(await loadRepository(paths));
    } finally {
      await registry.close();
    }
    const outcome = await recordMaterializations({
      paths,
      records: records(),
      registry: { pglite, schema: s, project: 'retail' },
    });
    expect(outcome).toMatchObject({ recorded: 2 });
    expect(outcome.warning).toBeUndefined();
    expect((await rows(s)).map((r) => r.rows)).toEqual([11, 12]);
  });

  it('writes nothing (and opens nothing) when every task was reused', async () => {
    const outcome = await recordMaterializations({
      paths: { root: '/nonexistent', repo: '/nonexistent/feature_store' },
      records: records().map((r) => ({ ...r, reused: true })),
    });
    expect(outcome).toEqual({ recorded: 0, ms: 0 });
  });

  it('warns instead of failing when there is no repository or the server is unreachable', async () => {
    const missing = await recordMaterializations({
      paths: projectPaths({ root: join(PROJECT_ROOT, 'no-such-dir') }),
      records: records(),
    });
    expect(missing.recorded).toBe(0);
    expect(missing.warning).toMatch(/^materializations not recorded: .*feature_store\.ts/);
    const unreachable = await recordMaterializations({
      paths,
      records: records(),
      registry: { url: 'postgresql://postgres:secret@127.0.0.1:1/none', project: 'retail' },
    });
    expect(unreachable.recorded).toBe(0);
    expect(unreachable.warning).toMatch(/^materializations not recorded: /);
    expect(unreachable.warning).not.toContain('secret');
  });
});
