// The embedded online store: a DuckDB file against SQLite (better-sqlite3 v12), same rows,
// same run, to choose by the numbers.
//   flock /tmp/duckfeat-bench.lock node bench/online-embedded.mjs [keys, default 1000000] \
//     [--requests 500] [--json]
// Rows: `keys` entity keys (VARCHAR, as duckfeat encodes them) × (timestamp + 9 DOUBLE
// features), made by DuckDB. Measured:
//   write  a full materialize of the rows into an empty store, as each would do it: SQLite
//          through JS (DuckDB chunks → one prepared INSERT OR REPLACE per row, one transaction);
//          DuckDB straight from SQL (INSERT OR REPLACE … SELECT into a keyed table), and again
//          over a filled table (the second run of a materialize: every key replaced).
//   read   1 key and 100 keys per request, `--requests` each (default 500), random keys: p50
//          and p99 in µs. SQLite: a prepared point SELECT per key; DuckDB: a prepared
//          SELECT … WHERE key = $1, and for 100 keys one prepared `WHERE key IN ($1, …, $100)`
//          (an IN list of parameters can use the primary key's index; the earlier
//          `IN (SELECT unnest($1))` was a join that scanned the whole table per request:
//          2,000 requests × ~0.2 s at 1M keys made the run last over 10 minutes).
//   share  whether a second process can read the file while the writer holds it open.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';

const cli = process.argv.slice(2);
const keys = Number(
  cli.find((a, i) => /^\d+$/.test(a) && !/^--/.test(cli[i - 1] ?? '')) ?? 1_000_000,
);
const requests = Number(cli[cli.indexOf('--requests') + 1] ?? 500) || 500;
const json = cli.includes('--json');
const OUT = new URL('./.out/online-embedded/', import.meta.url).pathname;
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const FEATURES = Array.from({ length: 9 }, (_, i) => `f${i}`);
const SOURCE = `SELECT CAST(k AS VARCHAR) AS entity_key, 1700000000000000 + k AS ts,
  ${FEATURES.map((f, i) => `(hash(k, ${i}) % 100000) / 100.0 AS ${f}`).join(', ')} FROM range(${keys}) t(k)`;
const load = () =>
  execFileSync('uptime')
    .toString()
    .trim()
    .replace(/.*load average: /, '');
const ms = (t) => Math.round(performance.now() - t);

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: Math.round(at(0.5) * 10) / 10, p99: Math.round(at(0.99) * 10) / 10 };
}
const randomKeys = (n) => Array.from({ length: n }, () => String(Math.floor(Math.random() * keys)));

async function sqlite(source) {
  const db = new Database(`${OUT}online.sqlite`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    `CREATE TABLE fv (entity_key TEXT PRIMARY KEY, ts INTEGER NOT NULL, ${FEATURES.map((f) => `${f} REAL`).join(', ')}) WITHOUT ROWID`,
  );
  const insert = db.prepare(
    `INSERT OR REPLACE INTO fv VALUES (${['?', '?', ...FEATURES.map(() => '?')].join(', ')})`,
  );
  const write = async () => {
    const t = performance.now();
    const result = await source.stream(SOURCE);
    db.exec('BEGIN IMMEDIATE');
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const columns = Array.from({ length: 11 }, (_, c) => chunk.getColumnValues(c));
      const row = new Array(11);
      for (let i = 0; i < chunk.rowCount; i++) {
        row[0] = columns[0][i];
        row[1] = Number(columns[1][i]);
        for (let c = 2; c < 11; c++) row[c] = columns[c][i];
        insert.run(row);
      }
    }
    db.exec('COMMIT');
    return ms(t);
  };
  const first = await write();
  const second = await write();
  const get = db
    .prepare(`SELECT ts, ${FEATURES.join(', ')} FROM fv WHERE entity_key = ?`)
    .raw(true);
  const one = [];
  const hundred = [];
  for (let r = 0; r < requests; r++) {
    const [k] = randomKeys(1);
    let t = performance.now();
    get.get(k);
    one.push((performance.now() - t) * 1000);
    const ks = randomKeys(100);
    t = performance.now();
    for (const key of ks) get.get(key);
    hundred.push((performance.now() - t) * 1000);
  }
  db.close();
  return { first, second, one: percentiles(one), hundred: percentiles(hundred) };
}

async function duckdbFile() {
  const instance = await DuckDBInstance.create(`${OUT}online.duckdb`);
  const c = await instance.connect();
  await c.run(
    `CREATE TABLE fv (entity_key VARCHAR PRIMARY KEY, ts BIGINT NOT NULL, ${FEATURES.map((f) => `${f} DOUBLE`).join(', ')})`,
  );
  const write = async () => {
    const t = performance.now();
    await c.run(`INSERT OR REPLACE INTO fv ${SOURCE}`);
    await c.run('CHECKPOINT');
    return ms(t);
  };
  const first = await write();
  const second = await write();
  const get = await c.prepare(`SELECT ts, ${FEATURES.join(', ')} FROM fv WHERE entity_key = $1`);
  const many = await c.prepare(
    `SELECT entity_key, ts, ${FEATURES.join(', ')} FROM fv WHERE entity_key IN (${Array.from({ length: 100 }, (_, i) => `$${i + 1}`).join(', ')})`,
  );
  const one = [];
  const hundred = [];
  for (let r = 0; r < requests; r++) {
    const [k] = randomKeys(1);
    let t = performance.now();
    get.bind([k]);
    (await get.runAndReadAll()).getRows();
    one.push((performance.now() - t) * 1000);
    t = performance.now();
    many.bind(randomKeys(100));
    (await many.runAndReadAll()).getRows();
    hundred.push((performance.now() - t) * 1000);
  }
  // Can another process read while this one holds the file?
  const probe = execFileSync(process.execPath, [
    '-e',
    `
    const { DuckDBInstance } = require('@duckdb/node-api');
    DuckDBInstance.create(${JSON.stringify(`${OUT}online.duckdb`)}, { access_mode: 'READ_ONLY' })
      .then(() => console.log('yes'), (e) => console.log('no: ' + e.message.split('\\n')[0]));
  `,
  ])
    .toString()
    .trim();
  c.closeSync();
  instance.closeSync();
  return { first, second, one: percentiles(one), hundred: percentiles(hundred), share: probe };
}

const source = await (await DuckDBInstance.create(':memory:')).connect();
const log = (line) => console.error(line);
const report = { keys, requests, loadBefore: load() };
log(
  `${keys.toLocaleString('en-US')} keys × (ts + 9 DOUBLE), ${requests} requests per read; load ${report.loadBefore}`,
);
const s = await sqlite(source);
report.sqlite = { ...s, load: load() };
log(`sqlite done (load ${report.sqlite.load})`);
const d = await duckdbFile();
report.duckdb = { ...d, load: load() };
log(`duckdb done (load ${report.duckdb.load})`);
report.sqlite.share = execFileSync(process.execPath, [
  '-e',
  `
  const Database = require('better-sqlite3');
  const db = new Database(${JSON.stringify(`${OUT}online.sqlite`)}, { readonly: true });
  console.log(db.prepare('SELECT count(*) AS n FROM fv').get().n > 0 ? 'yes' : 'no');
`,
])
  .toString()
  .trim();
const line = (name, r) =>
  `${name.padEnd(7)} write ${r.first} ms (again over the filled table ${r.second} ms) | read 1 key p50 ${r.one.p50} µs p99 ${r.one.p99} µs | 100 keys p50 ${r.hundred.p50} µs p99 ${r.hundred.p99} µs`;
if (json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(line('sqlite', s));
  console.log(line('duckdb', d));
  console.log(
    `ratios (duckdb / sqlite): write ${(d.first / s.first).toFixed(2)}, rewrite ${(d.second / s.second).toFixed(2)}, 1-key p50 ${(d.one.p50 / s.one.p50).toFixed(1)}, 100-key p50 ${(d.hundred.p50 / s.hundred.p50).toFixed(1)}`,
  );
  console.log(
    `another process reading while the writer has the file open: sqlite (WAL) ${report.sqlite.share}; duckdb ${d.share}`,
  );
  console.log(`load average ${report.loadBefore} → ${load()}`);
}
