// Shared helpers for the zx step scripts: how to call the CLI and how to print a step.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chalk, path } from 'zx';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The CLI's `main`, loaded once. The steps run in this process, one after the other, exactly
 * as `duckfeat <args>` would run them: the same commands, output and exit codes, but Node,
 * DuckDB, PGlite, tsx and the feature repository's modules are loaded once for the whole
 * pipeline instead of once per step (about 3.5 s of the real-data run, see BENCHMARKS.md).
 */
let cliMain;
async function loadMain() {
  if (cliMain) return cliMain;
  const entry = path.join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(entry)) {
    console.error(chalk.red('duckfeat is not built; run `npm run build` (npm install does it)'));
    process.exit(1);
  }
  cliMain = (await import(pathToFileURL(entry).href)).main;
  return cliMain;
}

let closeRegistries;

/**
 * Keep the embedded registry open across the steps run in this process (it would otherwise
 * be opened again by every step that uses it: prep, apply, train, predict; 0.3–1 s each);
 * `closeRegistry()` closes it, and a failing `step` closes it before exiting.
 */
export async function keepRegistryOpen() {
  await loadMain();
  const connect = path.join(root, 'dist', 'registry', 'connect.js');
  const { keepEmbeddedRegistriesOpen } = await import(pathToFileURL(connect).href);
  closeRegistries = keepEmbeddedRegistriesOpen();
}

/** Close what `keepRegistryOpen` kept open (nothing if it was not called). */
export async function closeRegistry() {
  const close = closeRegistries;
  closeRegistries = undefined;
  await close?.();
}

/** Run `duckfeat <args>` (in this process); throws `{ exitCode }` when it fails. */
export async function duckfeat(args) {
  console.log(chalk.dim(`$ duckfeat ${args.map(quote).join(' ')}`));
  const main = await loadMain();
  const cwd = process.cwd();
  process.chdir(root);
  process.exitCode = undefined;
  let code;
  try {
    code = await main(['node', 'duckfeat', ...args]);
  } finally {
    process.chdir(cwd);
    process.exitCode = undefined;
  }
  if (code !== 0) throw Object.assign(new Error(`duckfeat ${args[0]} failed`), { exitCode: code });
}

/** Run `duckfeat <args>` (a `--json` command) and return its parsed stdout. */
export async function duckfeatJson(args) {
  const write = process.stdout.write;
  let captured = '';
  process.stdout.write = (chunk, ...rest) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const done = rest.find((r) => typeof r === 'function');
    done?.();
    return true;
  };
  try {
    await duckfeat(args);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(captured.slice(captured.indexOf('{')));
}

function quote(arg) {
  return /^[\w./:=@,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** The input the pipeline uses: --input, else the UCI workbook, else synthetic data. */
export function resolveInput(argv) {
  if (argv.input) return { input: path.resolve(argv.input), synthetic: false };
  const xlsx = path.join(root, 'data', 'input', 'Online Retail.xlsx');
  if (existsSync(xlsx)) return { input: xlsx, synthetic: false };
  return { input: path.join(root, 'data', 'input', 'synthetic_retail.parquet'), synthetic: true };
}

/**
 * The input a step should use. With no real input, make sure the synthetic set exists
 * (`duckfeat synth`, deterministic, only when the file is missing) and say plainly that the
 * synthetic data is being used and how to use the real file.
 */
export async function ensureInput(argv) {
  const { input, synthetic } = resolveInput(argv);
  if (!synthetic) return input;
  console.log(
    chalk.yellow(
      'No input given and no data/input/Online Retail.xlsx: using built-in synthetic retail data.\n' +
        'To use the real UCI data, put the workbook at data/input/Online Retail.xlsx or pass --input PATH.',
    ),
  );
  if (existsSync(input)) {
    console.log(chalk.dim(`  reusing ${path.relative(root, input)} (delete it to generate again)`));
  } else {
    await step('synth', () => duckfeat(['synth', '--out', input]));
  }
  return input;
}

/** Run one named step with a header and its duration; a failure names the step and exits. */
export async function step(name, fn) {
  console.log(chalk.bold.cyan(`\n▶ ${name}`));
  const started = performance.now();
  try {
    const result = await fn();
    console.log(
      chalk.dim(`  ${name} done in ${((performance.now() - started) / 1000).toFixed(2)} s`),
    );
    return result;
  } catch (error) {
    const cause =
      error?.exitCode !== undefined
        ? `exit code ${error.exitCode}`
        : String(error?.message ?? error);
    console.error(chalk.red(`✖ step "${name}" failed (${cause})`));
    await closeRegistry();
    process.exit(typeof error?.exitCode === 'number' && error.exitCode > 0 ? error.exitCode : 1);
  }
}
