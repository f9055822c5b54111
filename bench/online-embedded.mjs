// The embedded online store: a DuckDB file against SQLite (better-sqlite3 v12), same rows,
// same run, to choose by the numbers.
//   npm run build && flock /tmp/duckfeat-bench.lock node bench/online-embedded.mjs [keys, default 1000000]
// Rows: `keys` entity keys (VARCHAR, as duckfeat encodes them) × (timestamp + 9 DOUBLE
// features), made by DuckDB. Measured:
//   write  a full materialize of the rows into an empty store, as each would do it: SQLite
//          through JS (DuckDB chunks → one prepared INSERT OR REPLACE per row, one transaction);
//          DuckDB straight from SQL (INSERT OR REPLACE … SELECT into a keyed table), and again
//          over a filled table (the second run of a materialize: every key replaced).
//   read   1 key and 100 keys per request, 2,000 requests each, random keys: p50 and p99 in µs.
//          SQLite: a prepared point SELECT per key; DuckDB: a prepared SELECT … WHERE key = $1,
//          and for 100 keys one prepared `WHERE key IN (SELECT unnest($1))`.
//   share  whether a second process can read the file while the writer holds it open.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { DuckDBInstance, listValue } from '@duckdb/node-api';
import Database from 'better-sqlite3';

const keys = Number(process.argv[2] ?? 1_000_000);
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
  for (let r = 0; r < 2000; r++) {
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
    `SELECT entity_key, ts, ${FEATURES.join(', ')} FROM fv WHERE entity_key IN (SELECT unnest($1::VARCHAR[]))`,
  );
  const one = [];
  const hundred = [];
  for (let r = 0; r < 2000; r++) {
    const [k] = randomKeys(1);
    let t = performance.now();
    get.bind([k]);
    (await get.runAndReadAll()).getRows();
    one.push((performance.now() - t) * 1000);
    t = performance.now();
    many.bind([listValue(randomKeys(100))]);
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
console.log(`${keys.toLocaleString('en-US')} keys × (ts + 9 DOUBLE); load before: ${load()}`);
const s = await sqlite(source);
console.log(
  `sqlite   write ${s.first} ms (again over the filled table ${s.second} ms) | read 1 key p50 ${s.one.p50} µs p99 ${s.one.p99} µs | 100 keys p50 ${s.hundred.p50} µs p99 ${s.hundred.p99} µs | load ${load()}`,
);
const d = await duckdbFile();
console.log(
  `duckdb   write ${d.first} ms (again over the filled table ${d.second} ms) | read 1 key p50 ${d.one.p50} µs p99 ${d.one.p99} µs | 100 keys p50 ${d.hundred.p50} µs p99 ${d.hundred.p99} µs | load ${load()}`,
);
console.log(
  `duckdb   a second process opening the file read-only while the writer has it open: ${d.share}`,
);
const sqliteReader = execFileSync(process.execPath, [
  '-e',
  `
  const Database = require('better-sqlite3');
  const db = new Database(${JSON.stringify(`${OUT}online.sqlite`)}, { readonly: true });
  console.log(db.prepare('SELECT count(*) AS n FROM fv').get().n > 0 ? 'yes' : 'no');
`,
])
  .toString()
  .trim();
console.log(`sqlite   a second process reading (WAL) while a writer may be open: ${sqliteReader}`);
