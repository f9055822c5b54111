// Synthetic generation at scale: `duckfeat synth --customers 100000` (~11M rows), then the
// ingest of the result, each as its own process; wall time and peak RSS from /usr/bin/time.
//
//   node bench/synth-10m.mjs [--customers N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'bench', '.out', 'synth');
const args = process.argv.slice(2);
const customers = args.includes('--customers') ? args[args.indexOf('--customers') + 1] : '100000';
mkdirSync(outDir, { recursive: true });

function measure(commandArgs) {
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, ...commandArgs], {
    encoding: 'utf8',
    cwd: outDir,
  });
  if (result.status !== 0) throw new Error(result.stderr);
  const wall = /Elapsed \(wall clock\) time \([^)]*\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
    result.stderr,
  );
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)[1]) / 1024;
  return { seconds, rss, stdout: result.stdout.trim() };
}

const cli = join(root, 'bin', 'duckfeat.js');
const raw = join(outDir, `synthetic_${customers}.parquet`);
rmSync(raw, { force: true });
const synth = measure([cli, 'synth', '--customers', customers, '--out', raw]);
console.log(`synth:  ${synth.seconds.toFixed(1)} s, ${synth.rss.toFixed(0)} MB — ${synth.stdout}`);
const ingest = measure([
  cli,
  'ingest',
  '--input',
  raw,
  '--out',
  join(outDir, 'transactions.parquet'),
  '--force',
]);
console.log(
  `ingest: ${ingest.seconds.toFixed(1)} s, ${ingest.rss.toFixed(0)} MB — ${ingest.stdout}`,
);
console.log(
  `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}; load average at the end ${loadavg()[0].toFixed(1)}`,
);
