#!/usr/bin/env zx
// Feature computation: ingest (cached) then every feature view × cutoff.
// Usage: npx zx scripts/prep.mjs [--input PATH] [--force]
import { argv } from 'zx';
import { duckfeat, ensureInput, step } from './lib.mjs';

const input = await ensureInput(argv);
await step('prep', () => duckfeat(['prep', '--input', input, ...(argv.force ? ['--force'] : [])]));
