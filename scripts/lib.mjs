// Shared helpers for the zx step scripts: each step calls the library (the package itself,
// built to dist/), with one repository, one registry and one feature store opened for the
// whole run (a PipelineSession) and passed to the steps.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { argv, chalk, path } from 'zx';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The project the steps run on: `--project DIR` (e.g. `examples/repurchase`), else this one. */
export const root = argv.project ? path.resolve(argv.project) : packageRoot;

/** The library, loaded once (`duckfeat` resolves to this package's own dist/). */
let library;
async function duckfeat() {
  if (library) return library;
  if (!existsSync(path.join(packageRoot, 'dist', 'index.js'))) {
    console.error(chalk.red('duckfeat is not built; run `npm run build` (npm install does it)'));
    process.exit(1);
  }
  library = await import('duckfeat');
  return library;
}

async function projectPaths() {
  return (await duckfeat()).projectPaths({ root });
}

let opened;
/** The run's session (repository, registry, feature store), opened by the first step that needs it. */
async function session() {
  opened ??= (await duckfeat()).openPipelineSession({
    paths: await projectPaths(),
    onWarning: (message) => console.warn(chalk.yellow(`warning: ${message}`)),
  });
  return opened;
}

/** Close the session, if a step opened it. */
export async function closeSession() {
  const current = opened;
  opened = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}

const seconds = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const count = (n) => n.toLocaleString('en-US');

/** Clean the raw input into data/processed/ (cached by content); returns the transactions. */
export async function ingestStep(input, { force = false } = {}) {
  const { ingest } = await duckfeat();
  const started = performance.now();
  const result = await ingest({ input, paths: await projectPaths(), force });
  console.log(
    `ingest: ${count(result.rows)} transactions, ${count(result.customers)} customers` +
      `${result.cached ? ' (reused the cache: input unchanged)' : ''} in ${seconds(performance.now() - started)}`,
  );
  return { path: result.path, fingerprint: result.fingerprint };
}

/** Every feature view and label view × cutoff, then the materializations into the registry. */
export async function prepStep(transactions, { force = false } = {}) {
  const { prep, createProgressReporter, recordMaterializations } = await duckfeat();
  const { paths, repository, registry } = await session();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const progress = createProgressReporter();
  let result;
  try {
    result = await prep({
      paths,
      transactions,
      repository,
      force,
      signal: controller.signal,
      onProgress: progress.onProgress,
    });
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
  }
  for (const o of result.outputs) {
    console.log(`wrote ${path.relative(root, o.path)} (${count(o.rows)} rows)`);
  }
  const t = result.timings;
  console.log(
    `${result.tasks.length} tasks over ${result.cutoffs.length} cutoffs: ${result.computed} computed (${result.executor}), ` +
      `${result.reused} reused in ${seconds(t.totalMs)}`,
  );
  const recorded = await recordMaterializations({ paths, records: result.tasks, registry });
  if (recorded.warning) console.warn(chalk.yellow(`warning: ${recorded.warning}`));
  if (recorded.recorded > 0) {
    console.log(`registry: recorded ${recorded.recorded} materializations in ${recorded.location}`);
  }
  return result;
}

/** Sync the repository's definitions to the registry; prints the plan. */
export async function applyStep() {
  const { formatPlan, validateSources } = await duckfeat();
  const { repository, registry } = await session();
  for (const check of await validateSources(repository)) {
    if (check.skipped)
      console.warn(chalk.yellow(`warning: schema of ${check.view} not checked: ${check.skipped}`));
  }
  const plan = await registry.apply(repository);
  for (const line of formatPlan(plan)) console.log(line);
  if (plan.changes.length > 0) console.log('Applied.');
  return plan;
}

const metrics = (e) =>
  `ROC-AUC ${e.rocAuc.toFixed(4)}, PR-AUC ${e.prAuc.toFixed(4)}, log loss ${e.logLoss.toFixed(4)}, ` +
  `accuracy ${e.accuracy.toFixed(4)} (${count(e.rows)} rows, ${(100 * e.positiveRate).toFixed(1)}% positive)`;

/** Train the label view's model on its rows and feature service. */
export async function trainStep() {
  const { trainStep: train } = await duckfeat();
  const { paths, repository, store } = await session();
  const result = await train({ paths, repository, store });
  console.log(
    `label view ${result.labels.name} (${result.labels.keys.join(', ')}): ${result.labels.label}`,
  );
  console.log(`features: ${result.featureNames.join(', ')}`);
  console.log(`train: ${metrics(result.train)}`);
  console.log(`test (cutoff ${result.testCutoff}): ${metrics(result.test)}`);
  console.log(`model written to ${path.relative(root, result.artifacts.model)}`);
  return result;
}

/** Score every key of the label view's latest cutoff. */
export async function predictStep() {
  const { predictStep: predict } = await duckfeat();
  const { paths, repository, store } = await session();
  const result = await predict({ paths, repository, store });
  console.log(
    `scored ${count(result.rows)} ${result.labels.entities.join(' × ')} rows at cutoff ${result.cutoff}: ` +
      `${count(result.predictedPositive)} predicted ${result.labels.prediction}, ` +
      `mean probability ${result.meanProbability.toFixed(4)}`,
  );
  console.log(`predictions written to ${path.relative(root, result.artifacts.predictions)}`);
  return result;
}

/** The latest row per key of every feature view (feature timestamp <= `end`) into the online store. */
export async function materializeStep(end) {
  const { materialize, createMaterializeReporter } = await duckfeat();
  const { paths, registry } = await session();
  const progress = createMaterializeReporter();
  let result;
  try {
    result = await materialize({ paths, registry, end, onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
  const rows = result.views.reduce((sum, v) => sum + v.rows, 0);
  console.log(
    `materialized ${result.views.length} views, ${count(rows)} entity rows into ${result.store} ` +
      `in ${seconds(result.totalMs)}`,
  );
  return result;
}

/** The keys of the highest-scored row of the predictions, as a JSON `entities` object. */
export async function topEntities(predictions) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create();
  const connection = await instance.connect();
  try {
    const { keys } = predictions.labels;
    const reader = await connection.runAndReadAll(
      'SELECT * FROM read_parquet($file) LIMIT 1', // written highest probability first
      { file: predictions.artifacts.predictions },
    );
    const [row] = reader.getRowObjectsJS();
    const json = (v) => (typeof v === 'bigint' ? Number(v) : v);
    return Object.fromEntries(keys.map((k) => [k, [json(row[k])]]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The input the pipeline uses: --input, else the project's UCI workbook, else synthetic data. */
export function resolveInput(argv) {
  if (argv.input) return { input: path.resolve(argv.input), synthetic: false };
  const xlsx = path.join(root, 'data', 'input', 'Online Retail.xlsx');
  if (existsSync(xlsx)) return { input: xlsx, synthetic: false };
  return { input: path.join(root, 'data', 'input', 'synthetic_retail.parquet'), synthetic: true };
}

/**
 * The input a step should use. With no real input, make sure the synthetic set exists
 * (`synthesize`, deterministic, only when the file is missing) and say plainly that the
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
    await step('synth', async () => {
      const { synthesize } = await duckfeat();
      const result = await synthesize({ paths: await projectPaths(), out: input });
      console.log(`wrote ${path.relative(root, result.path)} (${count(result.rows)} rows)`);
    });
  }
  return input;
}

/**
 * Run one named step with a header and its duration. A failure prints its one-line reason
 * and names the step, closes the session and exits: 130 when interrupted, else 1.
 */
export async function step(name, fn) {
  console.log(chalk.bold.cyan(`\n▶ ${name}`));
  const started = performance.now();
  try {
    const result = await fn();
    console.log(chalk.dim(`  ${name} done in ${seconds(performance.now() - started)}`));
    return result;
  } catch (error) {
    const interrupted = error?.name === 'InterruptedError';
    console.error(chalk.red(`error: ${String(error?.message ?? error).split('\n')[0]}`));
    console.error(
      chalk.red(`✖ step "${name}" failed (${interrupted ? 'interrupted' : 'exit code 1'})`),
    );
    await closeSession().catch(() => {});
    process.exit(interrupted ? 130 : 1);
  }
}
