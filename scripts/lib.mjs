// Shared helpers for the zx step scripts: how to call the CLI and how to print a step.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { $, chalk, path } from 'zx';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'duckfeat.js');

$.verbose = true;
$.cwd = root;

/** Run `duckfeat <args>` with output passed through; throws on a non-zero exit. */
export function duckfeat(args) {
  return $({ stdio: 'inherit' })`node ${cli} ${args}`;
}

/** Run `duckfeat <args>` (a `--json` command) and return its parsed stdout; stderr passes through. */
export async function duckfeatJson(args) {
  const result = await $({
    stdio: ['inherit', 'pipe', 'inherit'],
    quiet: true,
  })`node ${cli} ${args}`;
  return JSON.parse(result.stdout);
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
    process.exit(typeof error?.exitCode === 'number' && error.exitCode > 0 ? error.exitCode : 1);
  }
}
