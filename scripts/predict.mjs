#!/usr/bin/env zx
// Score every customer at the latest cutoff; writes models/predictions.parquet.
// Usage: npx zx scripts/predict.mjs
import { duckfeat, step } from './lib.mjs';

await step('predict', () => duckfeat(['predict']));
