import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { PARQUET_FORMAT } from '../duckdb/parquet.js';
import { type ResultColumns, readColumns } from '../duckdb/read-columns.js';
import { errorMessage, RetrievalError } from '../errors.js';
import { writeAtomically } from '../util/atomic-file.js';
import { writeCompiledSql } from './compiled-sql-writer.js';
import { type CompiledRetrieval, type OutputColumn, renderRetrieval } from './compiler.js';
import type { MemoryColumn } from './entity-input.js';
import { loadMemoryTable } from './memory-table.js';
import type { RetrievalPlan } from './plan.js';

/** What a job needs to run: the checked plan and where to run it. */
export interface RetrievalJobOptions {
  readonly plan: RetrievalPlan;
  readonly instance: DuckDBInstance;
  /** In-memory entity rows to load before running. */
  readonly memory?: readonly MemoryColumn[];
  /** Where the compiled SQL is written when the job runs (`target/compiled`); none: not written. */
  readonly compiledDir?: string;
}

/**
 * A compiled point-in-time retrieval, ready to run. The SQL is known before anything runs
 * (`job.sql`, `job.parameters`); each `to…` method runs it once on a fresh connection and
 * first writes it to `target/compiled/<name>.sql`.
 *
 * @example
 * const job = await store.getHistoricalFeatures({ entities, features: 'purchase_model_features' });
 * console.log(job.sql);
 * const { rowCount, columns } = await job.toColumns(); // columns.recency_days: Float64Array
 * await job.toParquet('training_set.parquet');
 */
export class RetrievalJob {
  readonly #options: RetrievalJobOptions;
  readonly #compiled: CompiledRetrieval;
  #compiledForColumns: CompiledRetrieval | undefined;

  constructor(options: RetrievalJobOptions) {
    this.#options = options;
    this.#compiled = renderRetrieval(options.plan);
  }

  /** The compiled SQL. */
  get sql(): string {
    return this.#compiled.sql;
  }

  /** The values bound to the SQL's `$name` parameters. */
  get parameters(): Readonly<Record<string, string | number>> {
    return this.#compiled.parameters;
  }

  /** The entity column used as the event timestamp (`event_timestamp`, or the only timestamp column). */
  get timestampColumn(): string {
    return this.#compiled.timestampColumn;
  }

  /** The output columns, in order, and where each comes from. */
  get columns(): readonly OutputColumn[] {
    return this.#compiled.columns;
  }

  /** The SQL `toColumns()` runs: numeric columns cast to DOUBLE (rendered when first asked for). */
  get sqlForColumns(): CompiledRetrieval {
    this.#compiledForColumns ??= renderRetrieval(this.#options.plan, { numericAsDouble: true });
    return this.#compiledForColumns;
  }

  /** Write the result to a parquet file atomically (temp file + rename); returns the row count. */
  async toParquet(path: string): Promise<number> {
    const compiled = this.#compiled;
    return this.#run(compiled, async (connection) =>
      writeAtomically(path, async (temp) => {
        const result = await connection.run(
          `COPY (\n${compiled.sql}) TO $duckfeat_out_path (${PARQUET_FORMAT})`,
          { ...compiled.parameters, duckfeat_out_path: temp },
        );
        return result.rowsChanged;
      }),
    );
  }

  /** The result as row objects (BIGINT → bigint, TIMESTAMP → Date). Fine for small results. */
  async toRows(): Promise<Record<string, unknown>[]> {
    const compiled = this.#compiled;
    return this.#run(compiled, async (connection) => {
      const reader = await connection.runAndReadAll(compiled.sql, compiled.parameters);
      return reader.getRowObjectsJS();
    });
  }

  /**
   * The result by column: numeric features and numeric non-key entity columns (labels) as
   * `Float64Array` (NULL → NaN), join keys, timestamps and strings as JS arrays.
   */
  async toColumns(): Promise<ResultColumns> {
    const compiledForColumns = this.sqlForColumns;
    return this.#run(compiledForColumns, (connection) =>
      readColumns(connection, compiledForColumns.sql, compiledForColumns.parameters),
    );
  }

  /** DuckDB's physical plan of the query (`EXPLAIN`), as text. */
  async explain(): Promise<string> {
    const compiled = this.#compiled;
    return this.#run(
      compiled,
      async (connection) => {
        const reader = await connection.runAndReadAll(
          `EXPLAIN ${compiled.sql}`,
          compiled.parameters,
        );
        return reader
          .getRowsJS()
          .map((row) => String(row[1]))
          .join('\n');
      },
      false,
    );
  }

  async #run<T>(
    query: CompiledRetrieval,
    fn: (connection: DuckDBConnection) => Promise<T>,
    write = true,
  ): Promise<T> {
    const { instance, memory, compiledDir } = this.#options;
    if (write && compiledDir) await writeCompiledSql(compiledDir, query.name, query);
    const connection = await instance.connect();
    try {
      if (memory) await loadMemoryTable(connection, memory);
      return await fn(connection);
    } catch (error) {
      throw new RetrievalError(
        `Failed to retrieve features: ${errorMessage(error).split('\n')[0]}`,
        query.sql,
        { cause: error },
      );
    } finally {
      connection.closeSync();
    }
  }
}
