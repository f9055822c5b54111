#!/usr/bin/env zx
// Feature computation: ingest (cached) then every feature view and label view × cutoff.
// Usage: npx zx scripts/prep.mjs [--input PATH] [--force] [--project DIR]
import { argv } from 'zx';
import { closeSession, ensureInput, ingestStep, prepStep, step } from './lib.mjs';

const input = await ensureInput(argv);
const force = Boolean(argv.force);
try {
  const transactions = await step('ingest', () => ingestStep(input, { force }));
  await step('prep', () => prepStep(transactions, { force }));
} finally {
  await closeSession();
}
