import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import type { ValueType } from '../definitions/types.js';
import type { OnlineRow, OnlineStore, OnlineViewLayout, StoredValue } from './online-store.js';
import { type OnlineStoreLocation, openOnlineStoreAt } from './open-online-store.js';
import { int64Value } from './value-types.js';

/**
 * One view's materialize run as a plain JSON object: the compiled query (its parquet paths
 * are absolute, on shared storage) and where to write. `materialize` runs it in-process;
 * with the bullmq executor a `duckfeat worker` on any machine runs it. One task per view:
 * a view's run is one unit of the store (one transaction in the embedded store).
 */
export interface MaterializeTask {
  readonly kind: 'materialize';
  /** The view's name: unique within a run. */
  readonly id: string;
  readonly view: string;
  readonly layout: OnlineViewLayout;
  /** `compileMaterialize`'s query and parameters. */
  readonly sql: string;
  readonly parameters: Record<string, string | number>;
  /** The window's end (for messages). */
  readonly end: string;
  /** Rows per write to the store. */
  readonly batchRows: number;
  /** Where a worker opens the store (the in-process run writes to its open store). */
  readonly store: OnlineStoreLocation | null;
}

export interface MaterializeTaskResult {
  readonly id: string;
  /** Entity rows written. */
  readonly rows: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
}

/**
 * Stream a task's query from DuckDB into the store in batches (one write in flight while
 * the next batch is read), then commit; on any failure the writer is aborted. `onRows` is
 * told the rows sent so far after each batch.
 */
export async function executeMaterializeTask(
  task: MaterializeTask,
  connection: DuckDBConnection,
  store: OnlineStore,
  onRows?: (rows: number) => void,
): Promise<MaterializeTaskResult> {
  const startedAt = new Date();
  const started = performance.now();
  let rows = 0;
  const writer = await store.beginWrite(task.layout, { bulk: true });
  try {
    const result = await connection.stream(task.sql, task.parameters);
    const convert = task.layout.features.map((f) => converter(f.type));
    let batch: OnlineRow[] = [];
    let pending: Promise<void> | undefined;
    const flush = async () => {
      const rowsOut = batch;
      batch = [];
      await pending;
      rows += rowsOut.length;
      onRows?.(rows);
      pending = writer.write(rowsOut);
    };
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      appendRows(chunk, convert, batch);
      if (batch.length >= task.batchRows) await flush();
    }
    if (batch.length > 0) await flush();
    await pending;
    await writer.commit();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
  return {
    id: task.id,
    rows,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: performance.now() - started,
  };
}

/** A worker's run of a task: open the store the task names, execute, close it. */
export async function runMaterializeTask(
  task: MaterializeTask,
  connection: DuckDBConnection,
  onRows?: (rows: number) => void,
): Promise<MaterializeTaskResult> {
  if (!task.store) {
    throw new Error(`materialize task ${task.id} names no online store a worker can open`);
  }
  const store = await openOnlineStoreAt(task.store);
  try {
    return await executeMaterializeTask(task, connection, store, onRows);
  } finally {
    await store.close();
  }
}

type Convert = (value: unknown) => StoredValue;

function converter(type: ValueType): Convert {
  switch (type) {
    case 'int64':
      return (v) => (v === null ? null : int64Value(v as bigint));
    case 'timestamp':
      return (v) => (v === null ? null : Number(v as bigint));
    default:
      return (v) => v as StoredValue;
  }
}

function appendRows(chunk: DuckDBDataChunk, convert: readonly Convert[], out: OnlineRow[]): void {
  const size = chunk.rowCount;
  const keys = chunk.getColumnValues(0) as string[];
  const timestamps = chunk.getColumnValues(1) as bigint[];
  const columns = convert.map((_, f) => chunk.getColumnValues(f + 2));
  for (let i = 0; i < size; i++) {
    const values: StoredValue[] = new Array(convert.length);
    for (let f = 0; f < convert.length; f++) values[f] = convert[f]!(columns[f]![i]);
    out.push({ key: keys[i]!, eventTimestampUs: Number(timestamps[i]!), values });
  }
}
