// Ingest of the UCI Online Retail workbook (541,909 rows) side by side with its peers:
// SheetJS's default XLSX.readFile + sheet_to_json, and pandas read_excel (openpyxl).
// Each contender runs as its own process; wall time and peak RSS come from /usr/bin/time.
//
//   node bench/ingest-xlsx.mjs [--runs N] [--skip-pandas] [--skip-sheetjs]
//
// The workbook is built once from ../shared/data/online_retail.parquet with the original
// file's cell types (bench/ingest-xlsx-build.mjs) and cached under bench/.out/ingest/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUciXlsx } from './ingest-xlsx-build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'bench', '.out', 'ingest');
const parquet = resolve(root, '..', 'shared', 'data', 'online_retail.parquet');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const python = process.env.DUCKFEAT_BENCH_PYTHON ?? join(root, '.venv', 'bin', 'python');

mkdirSync(outDir, { recursive: true });
const xlsx = await buildUciXlsx(parquet, join(outDir, 'online_retail.xlsx'));
const size = (statSync(xlsx).size / 1e6).toFixed(1);

/** Run a command under /usr/bin/time -v; returns wall seconds, peak RSS (MB) and stdout. */
function measure(command, commandArgs, options = {}) {
  const result = spawnSync('/usr/bin/time', ['-v', command, ...commandArgs], {
    encoding: 'utf8',
    cwd: options.cwd ?? root,
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) throw new Error(`${command} failed:\n${result.stderr}`);
  const wall = /Elapsed \(wall clock\) time \([^)]*\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
    result.stderr,
  );
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)[1]) / 1024;
  return { seconds, rss, stdout: result.stdout.trim() };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = [];

function contender(name, times, run) {
  const results = [];
  for (let i = 0; i < times; i++) results.push(run());
  const entry = {
    name,
    seconds: median(results.map((r) => r.seconds)),
    rss: Math.max(...results.map((r) => r.rss)),
    runs: times,
    note: results.at(-1).stdout.split('\n').at(-1),
  };
  rows.push(entry);
  console.log(
    `${name}: ${entry.seconds.toFixed(2)} s, ${entry.rss.toFixed(0)} MB  (${entry.note})`,
  );
}

const cli = join(root, 'bin', 'duckfeat.js');
const cleaned = join(outDir, 'transactions.parquet');
contender('duckfeat ingest (cold: --force, whole CLI process)', runs, () => {
  rmSync(cleaned, { force: true });
  return measure(process.execPath, [cli, 'ingest', '--input', xlsx, '--out', cleaned, '--force'], {
    cwd: outDir,
  });
});
contender('duckfeat ingest (cached: unchanged input)', 1, () =>
  measure(process.execPath, [cli, 'ingest', '--input', xlsx, '--out', cleaned], { cwd: outDir }),
);

if (!args.includes('--skip-sheetjs')) {
  const script = `import XLSX from 'xlsx';
const wb = XLSX.readFile(${JSON.stringify(xlsx)});
const rows = XLSX.utils.sheet_to_json(wb.Sheets[wb.SheetNames[0]]);
console.log(rows.length + ' rows');`;
  contender('SheetJS XLSX.readFile + sheet_to_json', 1, () =>
    measure(process.execPath, ['--input-type=module', '-e', script]),
  );
}

if (!args.includes('--skip-pandas')) {
  if (existsSync(python)) {
    const script = `import pandas as pd
df = pd.read_excel(${JSON.stringify(xlsx)})
print(f"{len(df)} rows")`;
    contender('pandas read_excel (openpyxl)', 1, () => measure(python, ['-c', script]));
  } else {
    console.log(`pandas: skipped (no ${python}; make the venv as .ci/run does, plus openpyxl)`);
  }
}

const load = (await import('node:os')).loadavg()[0].toFixed(1);
console.log(
  `\nworkbook ${size} MB; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}; load average at the end ${load}`,
);
console.log('\n| contender | wall (s) | peak RSS (MB) | runs |\n|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.seconds.toFixed(2)} | ${r.rss.toFixed(0)} | ${r.runs} |`);
}
