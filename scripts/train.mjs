#!/usr/bin/env zx
// Train the purchase-propensity model on the label spine; writes models/.
// Usage: npx zx scripts/train.mjs
import { duckfeat, step } from './lib.mjs';

await step('train', () => duckfeat(['train']));
