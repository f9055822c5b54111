#!/usr/bin/env zx
// The whole pipeline: ingest → prep → apply → train → predict.
// Usage: npx zx scripts/all.mjs [--input PATH]
import { argv, chalk } from 'zx';
import { duckfeat, ensureInput, step } from './lib.mjs';

const started = performance.now();
const input = await ensureInput(argv);

await step('ingest', () => duckfeat(['ingest', '--input', input]));

console.log(
  chalk.bold(`\nPipeline finished in ${((performance.now() - started) / 1000).toFixed(2)} s`),
);
