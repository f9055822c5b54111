#!/usr/bin/env zx
// The whole pipeline: ingest → prep → apply → train → predict → materialize, then a summary
// and how to serve the model (`duckfeat serve`, a ready `curl` for /predict). Each step
// calls the library; one registry and one feature store are open for the whole run.
// Usage: npx zx scripts/all.mjs [--input PATH] [--force] [--project DIR]
// Registry: DUCKFEAT_REGISTRY_URL when set, else the embedded one under feature_store/.registry/.
import { argv, chalk, fs, path } from 'zx';
import {
  applyStep,
  closeSession,
  ensureInput,
  ingestStep,
  materializeStep,
  predictStep,
  prepStep,
  root,
  step,
  topEntities,
  trainStep,
} from './lib.mjs';

const started = performance.now();
const registry = process.env.DUCKFEAT_REGISTRY_URL
  ? 'PostgreSQL (DUCKFEAT_REGISTRY_URL)'
  : 'embedded PGlite (feature_store/.registry/; set DUCKFEAT_REGISTRY_URL to use PostgreSQL)';
console.log(chalk.dim(`registry: ${registry}`));

const input = await ensureInput(argv);
const force = Boolean(argv.force);

let predictions;
let trained;
let online;
try {
  const transactions = await step('ingest', () => ingestStep(input, { force }));
  await step('prep', () => prepStep(transactions, { force }));
  await step('apply', () => applyStep());
  trained = await step('train', () => trainStep());
  predictions = await step('predict', () => predictStep());
  // The latest values of every view into the online store (the embedded one unless
  // DUCKFEAT_ONLINE_URL or the config's onlineStore names another), for `duckfeat serve`.
  online = await step('materialize', () => materializeStep(predictions.cutoff));
} finally {
  await closeSession();
}

const metrics = await fs.readJson(trained.artifacts.metrics);
const test = metrics.metrics.find((m) => m.split === 'test');
const rows = metrics.dataSummary.reduce((sum, c) => sum + c.rows, 0);
const rel = (p) => path.relative(process.cwd(), path.resolve(root, p)) || '.';
const { labels } = predictions;
console.log(chalk.bold.green('\nPipeline finished'));
console.log(
  [
    `  input         ${path.relative(process.cwd(), input)}`,
    `  label rows    ${rows.toLocaleString('en-US')} over ${metrics.dataSummary.length} cutoffs (${labels.name}: ${labels.keys.join(', ')})`,
    `  test AUC      ${test.rocAuc.toFixed(4)} (cutoff ${metrics.params.test_cutoff}, ${test.rows} rows)`,
    `  predictions   ${predictions.rows} ${labels.entities.join(' × ')} rows, ${predictions.predictedPositive} predicted ${labels.prediction}`,
    `  features      ${rel('feature_store/data')}/`,
    `  model         ${rel(trained.artifacts.model)}`,
    `  metrics       ${rel(trained.artifacts.metrics)}`,
    `  report        ${rel(trained.artifacts.report)}`,
    `  predictions   ${rel(predictions.artifacts.predictions)}`,
    `  compiled SQL  ${rel('target/compiled')}/`,
    `  online store  ${online.store}`,
    `  total         ${((performance.now() - started) / 1000).toFixed(2)} s`,
  ].join('\n'),
);

const entities = await topEntities(predictions);
console.log(chalk.bold('\nServe the model'));
console.log(
  [
    `  ${argv.project ? `cd ${path.relative(process.cwd(), root)} && ` : ''}npx duckfeat serve   # http://127.0.0.1:6566; Ctrl-C stops it`,
    `  curl -s -X POST http://127.0.0.1:6566/predict -H 'content-type: application/json' \\`,
    `    -d '${JSON.stringify({ entities, top_k: 3 })}'`,
  ].join('\n'),
);
