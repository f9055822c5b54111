import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  type DuckDBInstance,
  type DuckDBListType,
  type DuckDBListValue,
  type DuckDBPreparedStatement,
  DuckDBTimestampValue,
  type DuckDBValue,
  LIST,
  listValue,
  TIMESTAMP,
  VARCHAR,
} from '@duckdb/node-api';
import type {
  FeatureDefinition,
  OnDemandFeatureViewDefinition,
  ValueType,
} from '../definitions/types.js';
import { createInstance } from '../duckdb/connection.js';
import { InputError } from '../errors.js';
import { DUCKDB_TYPE } from '../retrieval/declared-types.js';
import { isTimestampValue, ROW_COLUMN } from '../retrieval/entity-input.js';
import {
  evaluateOnDemand,
  onDemandFailure,
  onDemandInputTypes,
  onDemandSql,
} from '../retrieval/on-demand.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';

/** Prepared statements kept per connection (one per view and feature list). */
const MAX_STATEMENTS = 128;

type Sources = readonly {
  readonly name: string;
  readonly features: readonly FeatureDefinition[];
}[];

interface PooledConnection {
  readonly connection: DuckDBConnection;
  readonly statements: Map<string, DuckDBPreparedStatement>;
}

/**
 * On-demand features of online requests, evaluated by DuckDB: the same expressions, the
 * same casts, over inputs of the same DuckDB types as `evaluateOnDemand` and the offline
 * retrieval SQL. Per request it runs one prepared statement (per view and feature list) over
 * one bound list per input, unnested side by side, where `evaluateOnDemand` creates and fills
 * a temporary table: the same values, 1.5–3× faster per request (bench/on-demand-eval.mjs).
 * Connections are pooled, each running one request at a time.
 *
 * @example
 * const evaluator = await OnDemandEvaluator.open();
 * const out = await evaluator.evaluate(view, sourceViews, { spend: [10], n_orders: [2n] });
 * evaluator.close();
 */
export class OnDemandEvaluator {
  readonly #instance: DuckDBInstance;
  readonly #idle: PooledConnection[] = [];
  readonly #all: PooledConnection[] = [];

  private constructor(instance: DuckDBInstance) {
    this.#instance = instance;
  }

  /** A DuckDB instance of its own (one thread: requests are small). */
  static async open(): Promise<OnDemandEvaluator> {
    return new OnDemandEvaluator(await createInstance({ threads: 1 }));
  }

  /** `features` of `view` over `inputs` (one array per input, by bare name); as `evaluateOnDemand`. */
  async evaluate(
    view: OnDemandFeatureViewDefinition,
    sources: Sources,
    inputs: Readonly<Record<string, readonly unknown[]>>,
    features: readonly string[] = view.features.map((f) => f.name),
  ): Promise<Record<string, unknown[]>> {
    const rows = Object.values(inputs)[0]?.length ?? 0;
    const types = [...onDemandInputTypes(view, sources)];
    if (rows === 0 || types.length === 0) {
      return evaluateOnDemand(this.#instance, view, sources, inputs, features);
    }
    const columns = types.map(([name]) => {
      const values = inputs[name];
      if (!values || values.length !== rows) {
        throw new InputError(
          `Failed to evaluate on-demand view "${view.name}": input "${name}" is ${values ? `of length ${values.length}, not ${rows}` : 'missing'} (inputs: ${types.map(([n]) => n).join(', ')})`,
        );
      }
      return values;
    });
    const sql = listSql(view, features, types);
    const pooled = this.#idle.pop() ?? (await this.#connect());
    try {
      let statement = pooled.statements.get(sql);
      if (!statement) {
        if (pooled.statements.size >= MAX_STATEMENTS) {
          for (const s of pooled.statements.values()) s.destroySync();
          pooled.statements.clear();
        }
        statement = await pooled.connection.prepare(sql);
        pooled.statements.set(sql, statement);
      }
      types.forEach(([, type], c) => {
        statement.bindList(c + 1, listOf(type, columns[c]!), LIST_TYPE[type]);
      });
      const values = (await statement.runAndReadAll()).getColumnsObjectJS();
      const out: Record<string, unknown[]> = {};
      for (const name of features) out[name] = (values[name] ?? []) as unknown[];
      return out;
    } catch (error) {
      throw onDemandFailure(view, sql, error);
    } finally {
      this.#idle.push(pooled);
    }
  }

  /** Release the statements, connections and the instance. */
  close(): void {
    for (const pooled of this.#all.splice(0)) {
      for (const s of pooled.statements.values()) s.destroySync();
      pooled.connection.closeSync();
    }
    this.#idle.length = 0;
    this.#instance.closeSync();
  }

  async #connect(): Promise<PooledConnection> {
    const pooled = { connection: await this.#instance.connect(), statements: new Map() };
    this.#all.push(pooled);
    return pooled;
  }
}

/**
 * `onDemandSql` over one list parameter per input, unnested side by side (DuckDB zips
 * unnests of one SELECT), each cast to its input's DuckDB type, and the row numbers.
 */
function listSql(
  view: OnDemandFeatureViewDefinition,
  features: readonly string[],
  types: readonly (readonly [string, ValueType])[],
): string {
  const columns = types.map(
    ([name, type], i) => `unnest($${i + 1}::${DUCKDB_TYPE[type]}[]) AS ${q(name)}`,
  );
  const rows = `unnest(range(1, len($1::${DUCKDB_TYPE[types[0]![1]]}[]) + 1)) AS ${q(ROW_COLUMN)}`;
  return onDemandSql(view, features, `(SELECT ${[...columns, rows].join(', ')})`);
}

const LIST_TYPE: Readonly<Record<ValueType, DuckDBListType>> = {
  int64: LIST(BIGINT),
  float64: LIST(DOUBLE),
  string: LIST(VARCHAR),
  bool: LIST(BOOLEAN),
  timestamp: LIST(TIMESTAMP),
};

/** One input's values as a list of the DuckDB values `loadMemoryTable` would append. */
function listOf(type: ValueType, values: readonly unknown[]): DuckDBListValue {
  const items = values.map((value): DuckDBValue => {
    if (value === null || value === undefined) return null;
    if (type === 'int64') return typeof value === 'bigint' ? value : BigInt(value as number);
    if (type !== 'timestamp') return value as number | string | boolean;
    return new DuckDBTimestampValue(
      isTimestampValue(value) ? value.micros : BigInt((value as Date).getTime()) * 1000n,
    );
  });
  return listValue(items);
}
