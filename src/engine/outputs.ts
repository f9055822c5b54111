import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBInstance, listValue } from '@duckdb/node-api';
import { createInstance } from '../duckdb/connection.js';
import { tempPathFor } from '../util/atomic-file.js';
import type { PrepOutput } from './prep.js';
import type { Task } from './task.js';
import type { ViewSource } from './views.js';

/**
 * Concatenate each view's partitions into `<featureData>/<view>.parquet`, sorted by
 * (event_timestamp, customer_id), up to `concurrency` views at once on `instance` (a new
 * one when omitted). Every file is first written to a temp file beside it; the renames
 * happen only once all of them are produced, so a failure leaves every previous output in
 * place.
 */
export async function writeOutputs(
  views: ViewSource[],
  tasks: Task[],
  featureData: string,
  options: { instance?: DuckDBInstance; concurrency?: number } = {},
): Promise<PrepOutput[]> {
  await mkdir(featureData, { recursive: true });
  const staged = views.map(({ file }) => {
    const path = join(featureData, `${file.name}.parquet`);
    return { temp: tempPathFor(path), path };
  });
  const instance = options.instance ?? (await createInstance({ threads: 1 }));
  try {
    const outputs: PrepOutput[] = new Array(views.length);
    let next = 0;
    const lane = async () => {
      const connection = await instance.connect();
      try {
        for (let i = next++; i < views.length; i = next++) {
          const { file, kind } = views[i]!;
          const partitions = tasks.filter((t) => t.view === file.name).map((t) => t.partition);
          const result = await connection.runAndReadAll(
            `COPY (SELECT * FROM read_parquet($partitions) ORDER BY event_timestamp, customer_id)
             TO $target (FORMAT parquet)`,
            { partitions: listValue(partitions), target: staged[i]!.temp },
          );
          const rows = Number(result.getRows()[0]?.[0] ?? 0);
          outputs[i] = { view: file.name, kind, path: staged[i]!.path, rows };
        }
      } finally {
        connection.closeSync();
      }
    };
    const lanes = Math.min(Math.max(1, options.concurrency ?? 1), views.length);
    const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(staged.map(({ temp, path }) => rename(temp, path)));
    return outputs;
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw error;
  } finally {
    if (!options.instance) instance.closeSync();
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
