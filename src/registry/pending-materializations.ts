import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MaterializationRecord } from '../engine/materialization-record.js';
import { errorMessage, RegistryError } from '../errors.js';
import { writeFileAtomically } from '../util/atomic-file.js';

/** The folder, beside the repository's definitions, holding materializations not yet recorded. */
export function pendingMaterializationsDir(repo: string): string {
  return join(repo, '.registry-pending');
}

/**
 * Keep the materializations of a `prep` run in a file under `<repo>/.registry-pending/`, to be
 * recorded by the next {@link drainPendingMaterializations} (every `openRegistry` runs it).
 * `prep` needs the registry for nothing else, and opening it (loading the repository, starting
 * the embedded PGlite) costs more than computing the features of the real data; this is one
 * small file written atomically. Returns the file written (none when there are no records).
 *
 * @example
 * await queueMaterializations(paths.repo, result.tasks.filter((t) => !t.reused));
 */
export async function queueMaterializations(
  repo: string,
  records: readonly MaterializationRecord[],
): Promise<string | undefined> {
  if (records.length === 0) return undefined;
  const file = join(
    pendingMaterializationsDir(repo),
    `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${randomBytes(4).toString('hex')}.json`,
  );
  const fields = records.map((r) => ({
    view: r.view,
    cutoff: r.cutoff,
    rows: r.rows,
    sqlSha256: r.sqlSha256,
    inputFingerprint: r.inputFingerprint,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
  }));
  await writeFileAtomically(file, `${JSON.stringify({ materializations: fields })}\n`);
  return file;
}

/**
 * Record the queued materializations with `record` (the registry's `applyMaterializations`),
 * oldest file first, and delete each file once its records are written. A file is first
 * renamed to a name of this process (a claim), so two processes draining at once never record
 * the same file twice; a file that fails to record is put back for the next open. Returns the
 * number of records written.
 */
export async function drainPendingMaterializations(
  repo: string,
  record: (records: readonly MaterializationRecord[]) => Promise<void>,
): Promise<number> {
  const dir = pendingMaterializationsDir(repo);
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.json'))
    .sort();
  let written = 0;
  for (const name of names) {
    const file = join(dir, name);
    const claimed = `${file}.claimed-${process.pid}`;
    try {
      await rename(file, claimed);
    } catch {
      continue; // another process claimed it
    }
    try {
      const records = parsePending(await readFile(claimed, 'utf8'));
      await record(records);
      await rm(claimed, { force: true });
      written += records.length;
    } catch (error) {
      await rename(claimed, file).catch(() => {});
      throw new RegistryError(
        `Failed to record the pending materializations of ${file}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }
  return written;
}

function parsePending(text: string): MaterializationRecord[] {
  const parsed = JSON.parse(text) as { materializations?: unknown };
  if (!Array.isArray(parsed.materializations)) throw new Error('no "materializations" list');
  for (const r of parsed.materializations as Record<string, unknown>[]) {
    const ok =
      typeof r.view === 'string' &&
      typeof r.cutoff === 'string' &&
      typeof r.rows === 'number' &&
      typeof r.sqlSha256 === 'string' &&
      typeof r.inputFingerprint === 'string' &&
      typeof r.startedAt === 'string' &&
      typeof r.finishedAt === 'string' &&
      typeof r.durationMs === 'number';
    if (!ok) throw new Error(`not a materialization record: ${JSON.stringify(r)}`);
  }
  return parsed.materializations as MaterializationRecord[];
}
