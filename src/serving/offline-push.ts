import type { DuckDBInstance } from '@duckdb/node-api';
import type { ResolvedFeatureView } from '../definitions/types.js';
import { duckdb } from '../duckdb/api.js';
import { createInstance } from '../duckdb/connection.js';
import { PARQUET_FORMAT } from '../duckdb/parquet.js';
import { errorMessage, InputError } from '../errors.js';
import { quoteIdentifier } from '../sql/identifiers.js';
import { writeAtomically } from '../util/atomic-file.js';

/** Pushed rows to a view's offline source: `{ column: [values] }` in the view's names. */
export type PushColumns = Readonly<Record<string, readonly unknown[]>>;

/** Where `POST /push` with `to: "offline"` writes. */
export interface OfflinePush {
  /** Append the rows to the view's offline data; returns how many rows were appended. */
  append(view: ResolvedFeatureView, columns: PushColumns, rowCount: number): Promise<number>;
  close(): Promise<void>;
}

/** Column types a pushed value can be cast to from its text. */
const CASTABLE =
  /^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|DOUBLE|FLOAT|DECIMAL\(\d+,\d+\)|VARCHAR|BOOLEAN|DATE|TIMESTAMP|TIMESTAMP_NS|TIMESTAMP_MS|TIMESTAMP_S|TIMESTAMP WITH TIME ZONE)$/;

/**
 * Offline push into the view's source parquet file: the file is rewritten as its rows
 * followed by the pushed ones (a temp file beside it, then a rename), so readers, retrieval
 * included, see the old file or the new one, never a mix. Pushed values are cast to the
 * file's column types (a value that does not cast is a 400 naming the column); the
 * created-timestamp column, when the view has one and the push leaves it out, is the push's
 * time, so a pushed row wins over a computed one with the same key and timestamp. Appends
 * to one file run one at a time. A `prep` that recomputes the view rewrites the file from
 * its partitions: pushed rows last until then.
 *
 * @example
 * const offline = new ParquetOfflinePush();
 * await offline.append(view, { customer_id: [1], event_timestamp: ['2011-12-01'], frequency: [3] }, 1);
 */
export class ParquetOfflinePush implements OfflinePush {
  #instance: Promise<DuckDBInstance> | undefined;
  readonly #queues = new Map<string, Promise<unknown>>();

  async append(view: ResolvedFeatureView, columns: PushColumns, rowCount: number): Promise<number> {
    const path = view.source.path;
    const previous = this.#queues.get(path) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#append(view, columns, rowCount));
    this.#queues.set(path, run);
    try {
      return await run;
    } finally {
      if (this.#queues.get(path) === run) this.#queues.delete(path);
    }
  }

  async close(): Promise<void> {
    const instance = this.#instance;
    this.#instance = undefined;
    await Promise.allSettled(this.#queues.values());
    if (instance) (await instance).closeSync();
  }

  async #append(
    view: ResolvedFeatureView,
    columns: PushColumns,
    rowCount: number,
  ): Promise<number> {
    const { path, format, timestampField, createdTimestampColumn } = view.source;
    if (format !== 'parquet' || /[*?[]/.test(path)) {
      throw new InputError(
        `offline push needs the view's source to be one parquet file; "${view.name}" reads ${path}`,
      );
    }
    this.#instance ??= createInstance({ threads: 1 });
    const connection = await (await this.#instance).connect();
    try {
      let fileColumns: { name: string; type: string }[];
      try {
        const reader = await connection.runAndReadAll(
          'SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($path))',
          { path },
        );
        fileColumns = (reader.getRowsJS() as [string, string][]).map(([name, type]) => ({
          name,
          type,
        }));
      } catch (error) {
        throw new InputError(
          `the offline data of "${view.name}" at ${path} cannot be read (${errorMessage(error).split('\n')[0]}); run \`duckfeat prep\` first`,
          { cause: error },
        );
      }
      const sourceName = sourceColumnNames(view);
      const known = new Set(fileColumns.map((c) => c.name));
      for (const name of Object.keys(columns)) {
        if (!known.has(sourceName(name))) {
          throw new InputError(
            `column "${name}" is not in the offline data of "${view.name}" (columns: ${fileColumns.map((c) => c.name).join(', ')})`,
          );
        }
      }
      const byFileColumn = new Map(Object.entries(columns).map(([n, v]) => [sourceName(n), v]));
      for (const required of [...view.joinKeys.map(sourceName), timestampField]) {
        if (!byFileColumn.has(required)) {
          throw new InputError(`the pushed rows of "${view.name}" have no "${required}" column`);
        }
      }

      const params: Record<string, ReturnType<typeof duckdb.listValue> | string> = {};
      const types: Record<string, ReturnType<typeof duckdb.LIST>> = {};
      const selects: string[] = [];
      let stamped = false;
      fileColumns.forEach(({ name, type }, i) => {
        const values = byFileColumn.get(name);
        const target = quoteIdentifier(name);
        if (values === undefined) {
          stamped ||= name === createdTimestampColumn;
          selects.push(
            name === createdTimestampColumn
              ? `CAST($pushed_at AS ${type}) AS ${target}`
              : `CAST(NULL AS ${type}) AS ${target}`,
          );
          return;
        }
        if (!CASTABLE.test(type)) {
          throw new InputError(
            `column "${name}" of "${view.name}" has type ${type}, which a push cannot write`,
          );
        }
        params[`c${i}`] = duckdb.listValue(values.map(asText));
        types[`c${i}`] = duckdb.LIST(duckdb.VARCHAR);
        selects.push(`CAST(unnest($c${i}) AS ${type}) AS ${target}`);
      });
      if (stamped) {
        params['pushed_at'] = new Date().toISOString().replace('T', ' ').replace('Z', '');
      }
      const list = fileColumns.map((c) => quoteIdentifier(c.name)).join(', ');
      try {
        await connection.run('DROP TABLE IF EXISTS pushed');
        await connection.run(
          `CREATE TEMP TABLE pushed AS SELECT ${selects.join(', ')}`,
          params,
          types,
        );
      } catch (error) {
        throw new InputError(
          `the pushed rows of "${view.name}" do not fit its offline data: ${errorMessage(error).split('\n')[0]}`,
          { cause: error },
        );
      }
      await writeAtomically(path, async (temp) => {
        await connection.run(
          `COPY (SELECT ${list} FROM read_parquet($path) UNION ALL SELECT ${list} FROM pushed) TO $out (${PARQUET_FORMAT})`,
          { path, out: temp },
        );
      });
      await connection.run('DROP TABLE pushed');
      return rowCount;
    } finally {
      connection.closeSync();
    }
  }
}

/** Feature/key name → the source file's column (the view's field mapping, inverted). */
function sourceColumnNames(view: ResolvedFeatureView): (name: string) => string {
  const inverse = new Map(
    Object.entries(view.source.fieldMapping ?? {}).map(([source, feature]) => [feature, source]),
  );
  return (name) => inverse.get(name) ?? name;
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  throw new InputError(
    `a pushed value is not a number, string, boolean or null: ${JSON.stringify(value)}`,
  );
}
