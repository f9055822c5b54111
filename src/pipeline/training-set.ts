import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import { InputError } from '../errors.js';
import type { EntityInput } from '../retrieval/entity-input.js';
import type { FeatureStore } from '../retrieval/feature-store.js';

/** Features and (optionally) labels of a set of entity rows, as typed arrays. */
export interface FeatureMatrix {
  readonly rowCount: number;
  readonly featureNames: string[];
  /** One column per feature, NaN where the feature is missing. */
  readonly features: Float64Array[];
  /** The entity rows' event timestamps, epoch milliseconds. */
  readonly timestamps: Float64Array;
  /** The label column when the entity rows carry one, else undefined. */
  readonly label?: Float64Array;
  /** The compiled retrieval SQL, for inspection. */
  readonly sql: string;
}

/**
 * Retrieve `features` for `entities` point-in-time and return them as columns.
 * The label column, if the entity rows have it, comes back separately.
 */
export async function retrieveMatrix(
  store: FeatureStore,
  entities: EntityInput,
  features: string | readonly string[],
  options: { labelColumn?: string; name?: string } = {},
): Promise<FeatureMatrix> {
  const job = await store.getHistoricalFeatures({
    entities,
    features,
    ...(options.name ? { name: options.name } : {}),
  });
  const { rowCount, columns } = await job.toColumns();
  const featureColumns = job.columns.filter((c) => c.role === 'feature');
  const timestamps = new Float64Array(rowCount);
  // The column retrieval joined on: `event_timestamp`, or the entity rows' only timestamp column.
  const rawTimestamps = columns[job.timestampColumn] as unknown[];
  let missing = 0;
  for (let i = 0; i < rowCount; i++) {
    const value = rawTimestamps[i] as Date | null;
    if (value === null) missing++;
    else timestamps[i] = value.getTime();
  }
  if (missing > 0) {
    // Such rows match no feature row and belong to no cutoff: neither split can take them.
    throw new InputError(
      `Failed to build the feature matrix: ${missing} entity row(s) have no ${job.timestampColumn}`,
    );
  }
  let label: Float64Array | undefined;
  if (options.labelColumn) {
    const column = columns[options.labelColumn];
    if (!(column instanceof Float64Array)) {
      throw new InputError(
        `Failed to read labels: the entity rows have no numeric "${options.labelColumn}" column`,
      );
    }
    label = column;
  }
  return {
    rowCount,
    featureNames: featureColumns.map((c) => c.name),
    features: featureColumns.map((c) => toFloat64(columns[c.name], c.name)),
    timestamps,
    ...(label ? { label } : {}),
    sql: job.sql,
  };
}

function toFloat64(column: Float64Array | unknown[] | undefined, name: string): Float64Array {
  if (column instanceof Float64Array) return column;
  throw new InputError(
    `Failed to build the feature matrix: feature "${name}" is not numeric; the model takes numeric features only`,
  );
}

/** Refuse clearly when a step's input file is missing, naming the step that makes it. */
export function requireFile(path: string, paths: ProjectPaths, what: string, step: string): void {
  if (!existsSync(path)) {
    throw new InputError(
      `Failed to find ${what}: ${relative(paths.root, path) || path} does not exist; run \`${step}\` first`,
    );
  }
}

/** Row indices of the last timestamp (the test split) and of all earlier ones (train). */
export function temporalSplit(timestamps: Float64Array): {
  train: Int32Array;
  test: Int32Array;
  testTimestamp: number;
} {
  let last = Number.NEGATIVE_INFINITY;
  for (const t of timestamps) if (t > last) last = t;
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < timestamps.length; i++) (timestamps[i] === last ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test), testTimestamp: last };
}

/** The rows `index` of each column. */
export function takeRows(columns: readonly Float64Array[], index: Int32Array): Float64Array[] {
  return columns.map((column) => take(column, index));
}

export function take(column: Float64Array, index: Int32Array): Float64Array {
  const out = new Float64Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = column[index[i]!]!;
  return out;
}
