import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { createInstance } from '../duckdb/connection.js';
import { tempPathFor } from '../util/atomic-file.js';
import type { OutputStamp } from './manifest.js';
import type { PrepOutput } from './prep.js';
import { writeStampedOutput } from './stamped-output.js';
import type { Task } from './task.js';
import type { ViewSource } from './views.js';

/**
 * Concatenate each view's partitions into `<featureData>/<view>.parquet`, sorted by
 * (event_timestamp, the view's keys), up to `concurrency` views at once on `instance` (a new
 * one when omitted). An output whose stamp in `previous` matches its partitions and whose
 * file is unchanged since is kept as it is. Every file is first written to a temp file
 * beside it; the renames happen only once all of them are produced, so a failure leaves
 * every previous output in place. Each file states in its parquet metadata that it is unique
 * on (keys, event_timestamp) when it is (`writeStampedOutput`), so that retrieval
 * needs no pass over it. Returns the outputs and their new stamps.
 */
export async function writeOutputs(
  views: ViewSource[],
  tasks: Task[],
  featureData: string,
  options: {
    instance?: DuckDBInstance;
    concurrency?: number;
    previous?: Record<string, OutputStamp>;
  } = {},
): Promise<{ outputs: PrepOutput[]; stamps: Record<string, OutputStamp> }> {
  await mkdir(featureData, { recursive: true });
  const plans = await Promise.all(
    views.map(async ({ file, kind, keys }) => {
      const partitions = tasks.filter((t) => t.view === file.name).map((t) => t.partition);
      const path = join(featureData, `${file.name}.parquet`);
      const key = createHash('sha256').update(JSON.stringify(partitions)).digest('hex');
      const stamp = options.previous?.[file.name];
      const kept = stamp?.key === key && (await unchanged(path, stamp)) ? stamp : undefined;
      return { view: file.name, kind, keys, partitions, path, key, kept, temp: tempPathFor(path) };
    }),
  );
  const stamps: Record<string, OutputStamp> = {};
  const outputs: PrepOutput[] = plans.map((p) => ({
    view: p.view,
    kind: p.kind,
    path: p.path,
    rows: p.kept?.rows ?? 0,
  }));
  const todo = plans.flatMap((p, i) => (p.kept ? [] : [i]));
  for (const p of plans) if (p.kept) stamps[p.view] = p.kept;
  if (todo.length === 0) return { outputs, stamps };
  const instance = options.instance ?? (await createInstance({ threads: 1 }));
  try {
    let next = 0;
    const lane = async () => {
      const connection = await instance.connect();
      try {
        for (let j = next++; j < todo.length; j = next++) {
          const i = todo[j]!;
          const p = plans[i]!;
          outputs[i]!.rows = await writeStampedOutput(connection, p.partitions, p.temp, {
            keys: p.keys,
            timestamp: 'event_timestamp',
          });
        }
      } finally {
        connection.closeSync();
      }
    };
    const lanes = Math.min(Math.max(1, options.concurrency ?? 1), todo.length);
    const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(
      todo.map(async (i) => {
        const p = plans[i]!;
        await rename(p.temp, p.path);
        const info = await stat(p.path);
        stamps[p.view] = {
          key: p.key,
          rows: outputs[i]!.rows,
          size: info.size,
          mtimeMs: info.mtimeMs,
        };
      }),
    );
    return { outputs, stamps };
  } catch (error) {
    await Promise.all(todo.map((i) => rm(plans[i]!.temp, { force: true })));
    throw error;
  } finally {
    if (!options.instance) instance.closeSync();
  }
}

async function unchanged(path: string, stamp: OutputStamp): Promise<boolean> {
  try {
    const info = await stat(path);
    return info.size === stamp.size && info.mtimeMs === stamp.mtimeMs;
  } catch {
    return false;
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
