#!/usr/bin/env zx
// Train the label view's model on its rows; writes models/.
// Usage: npx zx scripts/train.mjs [--project DIR]
import { closeSession, step, trainStep } from './lib.mjs';

try {
  await step('train', () => trainStep());
} finally {
  await closeSession();
}
