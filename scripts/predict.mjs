#!/usr/bin/env zx
// Score every key of the label view at the latest cutoff; writes models/predictions.parquet.
// Usage: npx zx scripts/predict.mjs [--project DIR]
import { closeSession, predictStep, step } from './lib.mjs';

try {
  await step('predict', () => predictStep());
} finally {
  await closeSession();
}
