import type { Kysely } from 'kysely';
import type { RegistryDatabase } from './schema.js';

/** One completed `materialize` run of a view into an online store. Timestamps: UTC. */
export interface OnlineMaterializationRecord {
  view: string;
  /** The online store's description (as `OnlineStore.description`, no password). */
  store: string;
  /** Exclusive start of the feature timestamps written; null: from the beginning. */
  start: string | null;
  /** Inclusive end of the feature timestamps written. */
  end: string;
  rows: number;
  startedAt: string | Date;
  finishedAt: string | Date;
  durationMs: number;
}

/** A recorded run; timestamps as `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC). */
export interface OnlineMaterializationRow extends OnlineMaterializationRecord {
  startedAt: string;
  finishedAt: string;
  recordedAt: string;
}

function timestampText(value: string | Date): string {
  return value instanceof Date ? value.toISOString().replace('T', ' ').replace('Z', '') : value;
}

export async function insertOnlineMaterialization(
  db: Kysely<RegistryDatabase>,
  projectId: number,
  record: OnlineMaterializationRecord,
): Promise<void> {
  await db
    .insertInto('online_materializations')
    .values({
      project_id: projectId,
      view_name: record.view,
      store: record.store,
      start_ts: record.start,
      end_ts: record.end,
      rows: record.rows,
      started_at: timestampText(record.startedAt),
      finished_at: timestampText(record.finishedAt),
      duration_ms: record.durationMs,
    })
    .execute();
}

export async function selectOnlineMaterializations(
  db: Kysely<RegistryDatabase>,
  projectId: number,
  filter: { view?: string; store?: string },
): Promise<OnlineMaterializationRow[]> {
  let query = db
    .selectFrom('online_materializations')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('view_name')
    .orderBy('end_ts')
    .orderBy('id');
  if (filter.view !== undefined) query = query.where('view_name', '=', filter.view);
  if (filter.store !== undefined) query = query.where('store', '=', filter.store);
  return (await query.execute()).map((r) => ({
    view: r.view_name,
    store: r.store,
    start: r.start_ts,
    end: r.end_ts,
    rows: Number(r.rows),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: Number(r.duration_ms),
    recordedAt: r.recorded_at,
  }));
}
