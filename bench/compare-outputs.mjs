// Compare the pipeline outputs of two project folders value by value: every parquet under
// feature_store/data/ and models/ (same columns and types, same rows in the same order;
// `created_timestamp`, the time a task ran, is left out) and the model file byte by byte.
// Exits 1 on any difference. Used to check that a refactoring leaves the seed pipeline's
// outputs unchanged:
//   npx zx scripts/all.mjs --input ../shared/data/online_retail.parquet   (in each folder)
//   node bench/compare-outputs.mjs BEFORE_ROOT AFTER_ROOT
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node bench/compare-outputs.mjs BEFORE_ROOT AFTER_ROOT');
  process.exit(2);
}

const parquets = (root) =>
  ['feature_store/data', 'models'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.parquet'))
      .map((f) => join(dir, f)),
  );

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const connection = await instance.connect();
const columns = async (path) =>
  (await connection.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($p)', { p: path }))
    .getRowObjectsJson()
    .filter((r) => r.column_name !== 'created_timestamp')
    .map((r) => `${r.column_name} ${r.column_type}`);

let failures = 0;
const files = parquets(before).sort();
const afterFiles = parquets(after).sort();
if (JSON.stringify(files) !== JSON.stringify(afterFiles)) {
  console.log(`✖ different files: ${files.join(', ')} vs ${afterFiles.join(', ')}`);
  failures++;
}
for (const file of files.filter((f) => afterFiles.includes(f))) {
  const a = join(before, file);
  const b = join(after, file);
  const [ca, cb] = [await columns(a), await columns(b)];
  if (JSON.stringify(ca) !== JSON.stringify(cb)) {
    console.log(`✖ ${file}: columns ${ca.join(', ')} vs ${cb.join(', ')}`);
    failures++;
    continue;
  }
  // Rows in file order (one thread keeps it), compared as whole rows by position.
  const rows = (x) =>
    `SELECT row_number() OVER () AS rn, COLUMNS(c -> c <> 'created_timestamp') FROM read_parquet(${x})`;
  const reader = await connection.runAndReadAll(
    `WITH a AS (${rows('$a')}), b AS (${rows('$b')})
     SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b),
            count(*) FILTER (WHERE a IS DISTINCT FROM b)
     FROM a FULL JOIN b USING (rn)`,
    { a, b },
  );
  const [rowsA, rowsB, differing] = reader.getRows()[0].map(Number);
  const ok = rowsA === rowsB && differing === 0;
  if (!ok) failures++;
  console.log(
    `${ok ? '✔' : '✖'} ${file}: ${rowsA} rows vs ${rowsB}, ${differing} differing (columns: ${ca.length})`,
  );
}
const model = 'models/purchase_model.txt';
const same = readFileSync(join(before, model)).equals(readFileSync(join(after, model)));
if (!same) failures++;
console.log(`${same ? '✔' : '✖'} ${model}: ${same ? 'identical bytes' : 'differs'}`);
connection.closeSync();
instance.closeSync();
process.exit(failures === 0 ? 0 : 1);
