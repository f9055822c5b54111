#!/usr/bin/env zx
// Sync the feature repository's definitions to the registry (DUCKFEAT_REGISTRY_URL or embedded).
// Usage: npx zx scripts/apply.mjs
import { duckfeat, step } from './lib.mjs';

await step('apply', () => duckfeat(['apply']));
