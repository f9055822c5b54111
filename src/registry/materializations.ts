import type { Kysely } from 'kysely';
import type { MaterializationRecord } from '../engine/materialization-record.js';
import type { RegistryDatabase } from './schema.js';

/** A recorded materialization; timestamps as `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC). */
export interface MaterializationRow extends MaterializationRecord {
  readonly recordedAt: string;
}

export async function insertMaterializations(
  db: Kysely<RegistryDatabase>,
  projectId: number,
  records: readonly MaterializationRecord[],
): Promise<void> {
  await db
    .insertInto('materializations')
    .values(
      records.map((r) => ({
        project_id: projectId,
        view_name: r.view,
        cutoff: r.cutoff,
        rows: r.rows,
        sql_sha256: r.sqlSha256,
        input_fingerprint: r.inputFingerprint,
        started_at: r.startedAt,
        finished_at: r.finishedAt,
        duration_ms: r.durationMs,
      })),
    )
    .execute();
}

export async function selectMaterializations(
  db: Kysely<RegistryDatabase>,
  projectId: number,
  filter: { view?: string },
): Promise<MaterializationRow[]> {
  let query = db
    .selectFrom('materializations')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('view_name')
    .orderBy('cutoff')
    .orderBy('id');
  if (filter.view !== undefined) query = query.where('view_name', '=', filter.view);
  return (await query.execute()).map((r) => ({
    view: r.view_name,
    cutoff: r.cutoff,
    rows: Number(r.rows),
    sqlSha256: r.sql_sha256,
    inputFingerprint: r.input_fingerprint,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: Number(r.duration_ms),
    recordedAt: r.recorded_at,
  }));
}
