#!/usr/bin/env zx
// Remove everything the pipeline generated. Keeps data/input/ (your raw data) and, unless
// --all is given, the ingest cache.
// Usage: npx zx scripts/clean.mjs [--all]
import { argv, chalk, fs, path } from 'zx';
import { root } from './lib.mjs';

const targets = [
  'data/processed',
  'data/partitions',
  'feature_store/data',
  'feature_store/.registry',
  'feature_store/.registry-pending',
  'models',
  'target',
  ...(argv.all ? ['data/cache', 'data/input/synthetic_retail.parquet'] : []),
];
for (const target of targets) {
  const full = path.join(root, target);
  if (await fs.pathExists(full)) {
    await fs.remove(full);
    console.log(`removed ${target}`);
  }
}
console.log(chalk.green('clean'));
