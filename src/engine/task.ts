import { createHash } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from '../duckdb/api.js';
import { PARQUET_FORMAT } from '../duckdb/parquet.js';
import { DuckfeatError, errorMessage, TaskError } from '../errors.js';
import { quoteIdentifier } from '../sql/identifiers.js';
import { tempPathFor } from '../util/atomic-file.js';
import { bindSqlFile, parseSqlFile, type SqlParamValue, selectText } from './sql-file.js';
import { formatTimestamp, parseTimestamp } from './timestamps.js';

/**
 * One unit of work: run one SQL file for one cutoff and write its rows to one partition.
 * A plain JSON-serializable object, so any executor (worker thread, another process,
 * another machine over shared storage) can run it. Nothing in it refers to memory.
 */
export interface Task {
  /** `<view>@<cutoff>`: unique within a run. */
  id: string;
  view: string;
  /** The SQL file (absolute path, for messages) and the sha256 of its text. */
  sqlPath: string;
  sqlSha256: string;
  /**
   * The file's text as loaded (and parse-checked) when the run was planned: a task never
   * re-reads its file, so every task of a run runs the same text, and a remote executor
   * needs no access to the SQL folder.
   */
  sql: string;
  /** The join keys of the view's entities: the first columns of every row, in order. */
  keys: string[];
  /** The bound parameters, exactly the ones the file declares. */
  params: Record<string, SqlParamValue>;
  /** The cutoff (also `params.cutoff`), `'YYYY-MM-DD HH:MM:SS'`. */
  cutoff: string;
  /** Fingerprint of the named inputs the task reads (`transactions`, …). */
  inputFingerprint: string;
  /** Parquet file the rows go to (written through a temp file and a rename). */
  partition: string;
  /**
   * `created_timestamp` to write instead of the task's start time (naive UTC), so that
   * runs on different executors or machines give byte-identical files.
   */
  createdTimestamp?: string;
}

/** What running a task produced. */
export interface TaskResult {
  id: string;
  rows: number;
  /** The `created_timestamp` written: when the task started materializing, naive UTC. */
  createdTimestamp: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/**
 * A stable key for incremental reuse: the same SQL text, parameters and input give the
 * same key (and the same partition contents).
 */
export function taskKey(
  task: Pick<Task, 'sqlSha256' | 'keys' | 'params' | 'inputFingerprint'>,
): string {
  const params = Object.keys(task.params)
    .sort()
    .map((k) => [k, String(task.params[k])]);
  return createHash('sha256')
    .update(JSON.stringify([task.sqlSha256, task.keys, params, task.inputFingerprint]))
    .digest('hex');
}

/**
 * Run a task on a connection: parse its SQL text's header (pure JS; DuckDB parsed it when
 * the run was planned) and check it against `sqlSha256`, then `COPY` the rows — the keys,
 * `event_timestamp`, `created_timestamp`, then the other columns (the outputs are sorted
 * when partitions are combined) — to a temp file beside the partition, and rename it into place. Failures become a {@link TaskError} naming the file and cutoff.
 */
export async function executeTask(task: Task, connection: DuckDBConnection): Promise<TaskResult> {
  const started = Date.now();
  const temp = tempPathFor(task.partition);
  let created = BigInt(started) * 1000n;
  let rows: number;
  try {
    if (task.createdTimestamp !== undefined) {
      const pinned = parseTimestamp(task.createdTimestamp);
      if (pinned === undefined) throw new DuckfeatError('its createdTimestamp is not a timestamp');
      created = pinned;
    }
    const file = parseSqlFile(task.sqlPath, task.sql);
    if (file.sha256 !== task.sqlSha256) {
      throw new DuckfeatError("the task's SQL text does not match its sqlSha256");
    }
    const { values, types } = bindSqlFile(file, task.params);
    const leading = [...task.keys, 'event_timestamp'].map(quoteIdentifier).join(', ');
    const sql = `COPY (
  SELECT ${leading}, $duckfeat_created_timestamp AS created_timestamp,
         * EXCLUDE (${leading})
  FROM (
${selectText(file)}  )
) TO $duckfeat_partition (${PARQUET_FORMAT})`;
    const result = await connection.runAndReadAll(
      sql,
      {
        ...values,
        duckfeat_created_timestamp: new duckdb.DuckDBTimestampValue(created),
        duckfeat_partition: temp,
      },
      {
        ...types,
        duckfeat_created_timestamp: duckdb.TIMESTAMP,
        duckfeat_partition: duckdb.VARCHAR,
      },
    );
    rows = Number(result.getRows()[0]?.[0] ?? 0);
    await rename(temp, task.partition);
  } catch (error) {
    await rm(temp, { force: true });
    throw new TaskError(
      `Failed to run task ${task.view} at cutoff ${task.cutoff} (${task.sqlPath}): ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const finished = Date.now();
  return {
    id: task.id,
    rows,
    createdTimestamp: formatTimestamp(created),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
  };
}
