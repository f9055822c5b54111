// piscina worker of bench/prep-10m.mjs ("worker pool" strategy): its own DuckDB instance
// (threads=1), opened on the first task; runs one SQL file for one cutoff into a parquet.
import { workerData } from 'node:worker_threads';
import {
  DuckDBInstance,
  DuckDBTimestampValue,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
} from '@duckdb/node-api';

let connection;

export default async function run({ sql, cutoff, out }) {
  connection ??= DuckDBInstance.create(':memory:', { threads: '1' }).then((db) => db.connect());
  const c = await connection;
  const { values, types } = bindings(sql, workerData.transactions, cutoff);
  await c.run(
    `COPY (\n${sql.trimEnd().replace(/;+$/, '')}\n) TO '${out}' (FORMAT parquet)`,
    values,
    types,
  );
}

/** The parameters a SQL file uses, bound with their types (cutoff as microseconds). */
export function bindings(sql, transactions, cutoff) {
  const all = {
    transactions: [transactions, VARCHAR],
    cutoff: [
      new DuckDBTimestampValue(BigInt(Date.parse(`${cutoff.replace(' ', 'T')}Z`)) * 1000n),
      TIMESTAMP,
    ],
    feature_window_days: [90, INTEGER],
    label_window_days: [30, INTEGER],
  };
  const code = sql.replace(/\/\*[\s\S]*?\*\/|--[^\n]*/g, '');
  const values = {};
  const types = {};
  for (const [name, [value, type]] of Object.entries(all)) {
    if (!new RegExp(`\\$${name}\\b`).test(code)) continue;
    values[name] = value;
    types[name] = type;
  }
  return { values, types };
}
