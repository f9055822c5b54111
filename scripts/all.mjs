#!/usr/bin/env zx
// The whole pipeline: ingest → prep → apply → train → predict, then a summary.
// Usage: npx zx scripts/all.mjs [--input PATH] [--force]
// Registry: DUCKFEAT_REGISTRY_URL when set, else the embedded one under feature_store/.registry/.
import { argv, chalk, fs, path } from 'zx';
import {
  closeRegistry,
  duckfeat,
  duckfeatJson,
  ensureInput,
  keepRegistryOpen,
  root,
  step,
} from './lib.mjs';

const started = performance.now();
const registry = process.env.DUCKFEAT_REGISTRY_URL
  ? 'PostgreSQL (DUCKFEAT_REGISTRY_URL)'
  : 'embedded PGlite (feature_store/.registry/; set DUCKFEAT_REGISTRY_URL to use PostgreSQL)';
console.log(chalk.dim(`registry: ${registry}`));

const input = await ensureInput(argv);
const force = argv.force ? ['--force'] : [];

// The embedded registry is opened once for the steps that use it (prep, apply, train, predict).
await keepRegistryOpen();
let predictions;
try {
  await step('ingest', () => duckfeat(['ingest', '--input', input, ...force]));
  await step('prep', () => duckfeat(['prep', '--input', input, ...force]));
  await step('apply', () => duckfeat(['apply']));
  await step('train', () => duckfeat(['train']));
  predictions = await step('predict', () => duckfeatJson(['predict', '--json']));
} finally {
  await closeRegistry();
}
console.log(
  `  scored ${predictions.rows} rows at cutoff ${predictions.cutoff}: ` +
    `${predictions.predictedPositive} predicted positive`,
);

const metrics = await fs.readJson(path.join(root, 'models', 'metrics.json'));
const test = metrics.metrics.find((m) => m.split === 'test');
const rows = metrics.dataSummary.reduce((sum, c) => sum + c.rows, 0);
const rel = (p) => path.relative(process.cwd(), path.join(root, p)) || '.';
console.log(chalk.bold.green('\nPipeline finished'));
console.log(
  [
    `  input         ${path.relative(process.cwd(), input)}`,
    `  label rows    ${rows.toLocaleString('en-US')} over ${metrics.dataSummary.length} cutoffs`,
    `  test AUC      ${test.rocAuc.toFixed(4)} (cutoff ${metrics.params.test_cutoff}, ${test.rows} rows)`,
    `  predictions   ${predictions.rows} rows, ${predictions.predictedPositive} predicted positive`,
    `  features      ${rel('feature_store/data')}/`,
    `  model         ${rel('models/purchase_model.txt')}`,
    `  metrics       ${rel('models/metrics.json')}`,
    `  report        ${rel('models/report.html')}`,
    `  predictions   ${rel('models/predictions.parquet')}`,
    `  compiled SQL  ${rel('target/compiled')}/`,
    `  total         ${((performance.now() - started) / 1000).toFixed(2)} s`,
  ].join('\n'),
);
