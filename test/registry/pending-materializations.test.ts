/**
 * Materializations `prep` queues instead of opening the registry: recorded by the next
 * `openRegistry` (embedded PGlite, a fresh schema per test), each file once even when two
 * opens drain at the same time, and a damaged file left in place with an error naming it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaterializationRecord } from '../../src/engine/materialization-record.js';
import { RegistryError } from '../../src/errors.js';
import {
  drainPendingMaterializations,
  pendingMaterializationsDir,
  queueMaterializations,
} from '../../src/registry/pending-materializations.js';
import { openRegistry } from '../../src/registry/registry.js';

let pglite: PGlite;
let dir: string;
beforeAll(async () => {
  pglite = await PGlite.create();
  dir = mkdtempSync(join(tmpdir(), 'duckfeat-pending-'));
});
afterAll(async () => {
  await pglite?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const schema = () => `t_${randomBytes(6).toString('hex')}`;
const repoPaths = () => {
  const root = mkdtempSync(join(dir, 'project-'));
  return { root, repo: join(root, 'feature_store') };
};

function record(view: string, cutoff: string, rows: number): MaterializationRecord {
  return {
    view,
    cutoff,
    rows,
    sqlSha256: 'a'.repeat(64),
    inputFingerprint: 'f'.repeat(64),
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:04:05.120Z',
    durationMs: 120,
  };
}

async function listed(paths: { root: string; repo: string }, s: string) {
  const registry = await openRegistry({ paths, pglite, schema: s, project: 'retail' });
  try {
    return (await registry.listMaterializations())
      .map((m) => `${m.view} ${m.cutoff} ${m.rows}`)
      .sort();
  } finally {
    await registry.close();
  }
}

describe('queued materializations', () => {
  it('are recorded at the next registry open, every field kept, and the queue emptied', async () => {
    const paths = repoPaths();
    const s = schema();
    expect(await queueMaterializations(paths.repo, [])).toBeUndefined();
    await queueMaterializations(paths.repo, [
      record('customer_rfm_features', '2011-03-01 08:26:00', 11),
      record('purchase_labels', '2011-03-01 08:26:00', 12),
    ]);
    await queueMaterializations(paths.repo, [
      record('customer_rfm_features', '2011-03-31 08:26:00', 13),
    ]);
    expect(readdirSync(pendingMaterializationsDir(paths.repo))).toHaveLength(2);
    const registry = await openRegistry({ paths, pglite, schema: s, project: 'retail' });
    try {
      const rows = await registry.listMaterializations({ view: 'customer_rfm_features' });
      expect(rows.map((r) => r.rows).sort()).toEqual([11, 13]);
      expect(rows[0]).toMatchObject({
        sqlSha256: 'a'.repeat(64),
        inputFingerprint: 'f'.repeat(64),
        durationMs: 120,
      });
    } finally {
      await registry.close();
    }
    expect(readdirSync(pendingMaterializationsDir(paths.repo))).toEqual([]);
    // A second open records nothing again.
    expect(await listed(paths, s)).toHaveLength(3);
  });

  it('are recorded once when two drains run at the same time', async () => {
    const paths = repoPaths();
    for (let i = 0; i < 6; i++) {
      await queueMaterializations(paths.repo, [record('v', `2011-0${i + 1}-01 00:00:00`, i)]);
    }
    const seen: number[] = [];
    const recordInto = async (records: readonly MaterializationRecord[]) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(...records.map((r) => r.rows));
    };
    const [a, b] = await Promise.all([
      drainPendingMaterializations(paths.repo, recordInto),
      drainPendingMaterializations(paths.repo, recordInto),
    ]);
    expect(a + b).toBe(6);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a damaged file fails the open with its name and stays for the next one', async () => {
    const paths = repoPaths();
    const s = schema();
    const file = await queueMaterializations(paths.repo, [record('v', '2011-01-01 00:00:00', 1)]);
    writeFileSync(file!, '{"materializations": [{"view": 1}]}');
    const error = await openRegistry({ paths, pglite, schema: s, project: 'retail' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      /^Failed to record the pending materializations of .*\.json: not a materialization record/,
    );
    expect(readdirSync(pendingMaterializationsDir(paths.repo))).toEqual([file!.split('/').pop()]);
  });
});
