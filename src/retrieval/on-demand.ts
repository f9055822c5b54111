import type { DuckDBInstance } from '@duckdb/node-api';
import type {
  FeatureDefinition,
  OnDemandFeatureViewDefinition,
  ValueType,
} from '../definitions/types.js';
import { errorMessage, InputError, RetrievalError } from '../errors.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
import { DUCKDB_TYPE } from './declared-types.js';
import { MEMORY_TABLE, type MemoryColumn, ROW_COLUMN } from './entity-input.js';
import { loadMemoryTable } from './memory-table.js';

/** The declared types of an on-demand view's inputs, by bare name. */
export function onDemandInputTypes(
  view: OnDemandFeatureViewDefinition,
  sources: readonly { readonly name: string; readonly features: readonly FeatureDefinition[] }[],
): Map<string, ValueType> {
  const types = new Map<string, ValueType>();
  for (const name of view.sources) {
    const source = sources.find((s) => s.name === name);
    if (!source) {
      throw new InputError(
        `Failed to evaluate on-demand view "${view.name}": its source view "${name}" is not known`,
      );
    }
    for (const f of source.features) types.set(f.name, f.type);
  }
  for (const c of view.requestSchema) types.set(c.name, c.type);
  return types;
}

/**
 * The query that evaluates `features` of an on-demand view over rows loaded (as by
 * `loadMemoryTable`) with one column per input, by bare name: the same expressions, cast to
 * the same declared types, as the retrieval SQL runs offline. `from` replaces the loaded
 * table by another relation of the same columns (the row number column included).
 */
export function onDemandSql(
  view: OnDemandFeatureViewDefinition,
  features: readonly string[] = view.features.map((f) => f.name),
  from: string = q(MEMORY_TABLE),
): string {
  const select = features.map((name) => {
    const f = view.features.find((x) => x.name === name);
    if (!f) {
      throw new InputError(
        `Failed to evaluate on-demand view "${view.name}": it has no feature "${name}" (it has: ${view.features.map((x) => x.name).join(', ')})`,
      );
    }
    return `CAST((${f.expression}) AS ${DUCKDB_TYPE[f.type]}) AS ${q(f.name)}`;
  });
  return `SELECT ${select.join(', ')}\nFROM ${from}\nORDER BY ${q(ROW_COLUMN)}`;
}

/**
 * Evaluate an on-demand view's features with DuckDB over a small batch of rows already
 * fetched (online serving): `inputs` holds one array per input, by bare name (the source
 * views' features and the request columns), all of the same length. Returns one array per
 * feature, in row order (BIGINT as `bigint`, TIMESTAMP as `Date`, NULL as `null`).
 *
 * @example
 * const out = await evaluateOnDemand(instance, basketRatio, [rfm], {
 *   avg_order_value: [20, null], basket_value: [30, 5],
 * });
 * // out.basket_to_average: [1.5, null]
 */
export async function evaluateOnDemand(
  instance: DuckDBInstance,
  view: OnDemandFeatureViewDefinition,
  sources: readonly { readonly name: string; readonly features: readonly FeatureDefinition[] }[],
  inputs: Readonly<Record<string, readonly unknown[]>>,
  features: readonly string[] = view.features.map((f) => f.name),
): Promise<Record<string, unknown[]>> {
  const types = onDemandInputTypes(view, sources);
  const lengths = new Set(Object.values(inputs).map((v) => v.length));
  if (lengths.size > 1) {
    throw new InputError(
      `Failed to evaluate on-demand view "${view.name}": its inputs have different lengths (${[...lengths].join(', ')})`,
    );
  }
  const columns: MemoryColumn[] = [...types].map(([name, type]) => {
    const values = inputs[name];
    if (!values) {
      throw new InputError(
        `Failed to evaluate on-demand view "${view.name}": input "${name}" is missing (inputs: ${[...types.keys()].join(', ')})`,
      );
    }
    return { name, type: DUCKDB_TYPE[type] as MemoryColumn['type'], values };
  });
  const sql = onDemandSql(view, features);
  const connection = await instance.connect();
  try {
    await loadMemoryTable(connection, columns);
    const reader = await connection.runAndReadAll(sql);
    const out: Record<string, unknown[]> = {};
    const values = reader.getColumnsObjectJS();
    for (const name of features) out[name] = (values[name] ?? []) as unknown[];
    return out;
  } catch (error) {
    throw onDemandFailure(view, sql, error);
  } finally {
    connection.closeSync();
  }
}

/** What a failed evaluation throws: an `InputError` as it is, else a `RetrievalError` with the SQL. */
export function onDemandFailure(
  view: OnDemandFeatureViewDefinition,
  sql: string,
  error: unknown,
): Error {
  if (error instanceof InputError) return error;
  return new RetrievalError(
    `Failed to evaluate on-demand view "${view.name}": ${errorMessage(error).split('\n')[0]}`,
    sql,
    { cause: error },
  );
}
