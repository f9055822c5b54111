#!/usr/bin/env zx
// The whole pipeline: ingest → prep → apply → train → predict.
// Usage: npx zx scripts/all.mjs [--input PATH]
import { argv, chalk } from 'zx';
import { duckfeat, resolveInput, step } from './lib.mjs';

const started = performance.now();
const { input, synthetic } = resolveInput(argv);

if (synthetic) {
  console.log(
    chalk.yellow(
      'No input given and no data/input/Online Retail.xlsx: using built-in synthetic retail data.\n' +
        'To use the real UCI data, put the workbook at data/input/Online Retail.xlsx or pass --input PATH.',
    ),
  );
  await step('synth', () => duckfeat(['synth', '--out', input]));
}

await step('ingest', () => duckfeat(['ingest', '--input', input]));

console.log(
  chalk.bold(`\nPipeline finished in ${((performance.now() - started) / 1000).toFixed(2)} s`),
);
