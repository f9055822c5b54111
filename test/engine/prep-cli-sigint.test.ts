/**
 * Ctrl-C on `duckfeat prep`: a deliberately slow feature file keeps a query running; on
 * SIGINT the CLI interrupts it, exits 130 and leaves the previous outputs as they were.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CLI,
  cliProject,
  customerView,
  SLOW_FEATURES_SCHEMA,
  SLOW_FEATURES_SQL,
  writeRepository,
} from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: root, cleanup } = await cliProject());
});
afterAll(() => cleanup());

function runCli(onStderr?: (text: string, kill: () => void) => void) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'prep', '--transactions', 'tx.parquet'], {
      cwd: root,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, () => child.kill('SIGINT'));
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

it('exits 130 on SIGINT mid-query and keeps the previous outputs', async () => {
  const first = await runCli();
  expect(first.code).toBe(0);
  const output = join(root, 'feature_store/data/purchase_labels.parquet');
  const before = await readFile(output);
  await writeFile(join(root, 'sql/features/slow_features.sql'), SLOW_FEATURES_SQL);
  await writeRepository(root, { extra: customerView('slow_features', SLOW_FEATURES_SCHEMA) });
  let sent = false;
  const second = await runCli((text, kill) => {
    if (!sent && /tasks over \d+ cutoffs/.test(text)) {
      sent = true;
      setTimeout(kill, 300);
    }
  });
  expect(second.stderr).toMatch(/interrupted/);
  expect(second.code).toBe(130);
  expect((await readFile(output)).equals(before)).toBe(true);
});
