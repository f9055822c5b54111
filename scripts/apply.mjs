#!/usr/bin/env zx
// Sync the feature repository's definitions to the registry (DUCKFEAT_REGISTRY_URL or embedded).
// Usage: npx zx scripts/apply.mjs [--project DIR]
import { applyStep, closeSession, step } from './lib.mjs';

try {
  await step('apply', () => applyStep());
} finally {
  await closeSession();
}
