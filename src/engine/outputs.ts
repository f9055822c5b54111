import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listValue } from '@duckdb/node-api';
import { withConnection } from '../duckdb/connection.js';
import { tempPathFor } from '../util/atomic-file.js';
import type { PrepOutput } from './prep.js';
import type { Task } from './task.js';
import type { ViewSource } from './views.js';

/**
 * Concatenate each view's partitions into `<featureData>/<view>.parquet`, sorted by
 * (event_timestamp, customer_id). Every file is first written to a temp file beside it;
 * the renames happen only once all of them are produced, so a failure leaves every
 * previous output in place.
 */
export async function writeOutputs(
  views: ViewSource[],
  tasks: Task[],
  featureData: string,
): Promise<PrepOutput[]> {
  await mkdir(featureData, { recursive: true });
  const staged: { temp: string; path: string }[] = [];
  try {
    const outputs = await withConnection(async (connection) => {
      const outputs: PrepOutput[] = [];
      for (const { file, kind } of views) {
        const partitions = tasks.filter((t) => t.view === file.name).map((t) => t.partition);
        const path = join(featureData, `${file.name}.parquet`);
        const temp = tempPathFor(path);
        staged.push({ temp, path });
        const result = await connection.runAndReadAll(
          `COPY (SELECT * FROM read_parquet($partitions) ORDER BY event_timestamp, customer_id)
           TO $target (FORMAT parquet)`,
          { partitions: listValue(partitions), target: temp },
        );
        outputs.push({ view: file.name, kind, path, rows: Number(result.getRows()[0]?.[0] ?? 0) });
      }
      return outputs;
    });
    for (const { temp, path } of staged) await rename(temp, path);
    return outputs;
  } catch (error) {
    for (const { temp } of staged) await rm(temp, { force: true });
    throw error;
  }
}

/** Delete partition files of these views that the new manifest no longer references. */
export async function removeStalePartitions(
  partitionsDir: string,
  views: ViewSource[],
  keep: Set<string>,
): Promise<void> {
  for (const { file } of views) {
    const dir = join(partitionsDir, file.name);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      if (name.endsWith('.parquet') && !keep.has(path)) await rm(path, { force: true });
    }
  }
}
