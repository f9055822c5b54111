#!/usr/bin/env node
// The floor of `duckfeat prep` as a process (bench/prep-process.mjs runs it beside prep): Node
// starts, loads DuckDB's Node module, opens an instance with two connections (one thread each,
// as prep's in-process executor) and runs the 27 feature and label queries — each SQL file
// prepared once per connection, then executed per cutoff (cheaper than prep's bind per task) —
// each as a COPY to its own parquet file, then closes. Nothing else: no CLI, no repository, no
// ingest check, no planning, no cutoff computation (the cutoffs are given), no partition
// renames, no combine. Prints one JSON line: the queries' wall seconds, and the process's.
//   node bench/prep-floor.mjs TRANSACTIONS.parquet OUT_DIR 'CUTOFF,CUTOFF,…' [SQL_DIR]
const startedAt = performance.now();
const { DuckDBInstance, DuckDBTimestampValue, INTEGER, TIMESTAMP, VARCHAR } = await import(
  '@duckdb/node-api'
);
const { readFileSync } = await import('node:fs');
const { join, resolve } = await import('node:path');

const [transactions, outDir, cutoffList, sqlDir = resolve(import.meta.dirname, '..', 'sql')] =
  process.argv.slice(2);
if (!cutoffList) throw new Error('usage: prep-floor.mjs TRANSACTIONS OUT_DIR CUTOFFS [SQL_DIR]');
const files = [
  'features/customer_rfm_features.sql',
  'features/customer_behavior_features.sql',
  'labels/purchase_labels.sql',
].map((f) => {
  const copy = `COPY (${readFileSync(join(sqlDir, f), 'utf8')}) TO $out (FORMAT parquet)`;
  return { copy, names: [...new Set([...copy.matchAll(/\$(\w+)/g)].map((m) => m[1]))] };
});
const cutoffs = cutoffList.split(',');
const types = {
  transactions: VARCHAR,
  cutoff: TIMESTAMP,
  feature_window_days: INTEGER,
  label_window_days: INTEGER,
  out: VARCHAR,
};
const micros = (c) => BigInt(Date.parse(`${c.replace(' ', 'T')}Z`)) * 1000n;

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const queued = files.flatMap((file, f) => cutoffs.map((cutoff, i) => ({ file, f, cutoff, i })));
const queriesStarted = performance.now();
async function connectionLoop() {
  const connection = await instance.connect();
  const prepared = new Map();
  for (let job = queued.shift(); job; job = queued.shift()) {
    const { copy, names } = job.file;
    let statement = prepared.get(job.f);
    if (!statement) {
      statement = await connection.prepare(copy);
      prepared.set(job.f, statement);
    }
    const values = {
      transactions,
      cutoff: new DuckDBTimestampValue(micros(job.cutoff)),
      feature_window_days: 90,
      label_window_days: 30,
      out: join(outDir, `${job.f}-${job.i}.parquet`),
    };
    statement.bind(
      Object.fromEntries(names.map((n) => [n, values[n]])),
      Object.fromEntries(names.map((n) => [n, types[n]])),
    );
    await statement.run();
  }
  for (const statement of prepared.values()) statement.destroySync();
  connection.closeSync();
}
await Promise.all([connectionLoop(), connectionLoop()]);
const queriesSeconds = (performance.now() - queriesStarted) / 1000;
instance.closeSync();
console.log(
  JSON.stringify({
    tasks: files.length * cutoffs.length,
    queriesSeconds,
    // since this module started: Node's own start (before it) is in the caller's wall time
    moduleSeconds: (performance.now() - startedAt) / 1000,
  }),
);
