/**
 * `duckfeat prep --executor bullmq` from the command line: Ctrl-C cancels the flow (the
 * worker's running query is interrupted, no job of the run is left in Redis) and exits
 * 130; an unreachable Redis is one `Failed to …` line naming the masked URL, exit 1.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTaskWorker, type TaskWorkerEvent } from '../../src/engine/bullmq-worker.js';
import { deleteKeysUnder, keysUnder, REDIS_URL, testPrefix } from './bullmq-helpers.js';
import {
  CLI,
  cliProject,
  customerView,
  SLOW_FEATURES_SCHEMA,
  SLOW_FEATURES_SQL,
} from './helpers.js';

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: root, cleanup } = await cliProject(customerView('slow_features', SLOW_FEATURES_SCHEMA)));
});
afterAll(() => cleanup());

function runCli(args: string[], onStart?: (kill: () => void) => void) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'prep', '--transactions', 'tx.parquet', ...args], {
      cwd: root,
    });
    onStart?.(() => child.kill('SIGINT'));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.resume();
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

it('Ctrl-C cancels the flow, interrupts the worker and exits 130', async () => {
  const prefix = testPrefix();
  await writeFile(join(root, 'sql/features/slow_features.sql'), SLOW_FEATURES_SQL);
  const events: TaskWorkerEvent[] = [];
  let onSlow: (() => void) | undefined;
  const worker = await startTaskWorker({
    url: REDIS_URL,
    prefix,
    onEvent: (e) => {
      events.push(e);
      if (e.kind === 'started' && e.task.view === 'slow_features') onSlow?.();
    },
  });
  try {
    const result = await runCli(
      ['--executor', 'bullmq', '--redis', REDIS_URL, '--queue-prefix', prefix],
      (kill) => {
        onSlow = () => setTimeout(kill, 200);
      },
    );
    expect(result.stderr).toMatch(/interrupted/);
    expect(result.code).toBe(130);
    const failed = events.find((e) => e.kind === 'failed' && e.task.view === 'slow_features');
    expect(failed).toMatchObject({ error: expect.stringMatching(/cancelled/) });
    expect(events.some((e) => e.kind === 'completed' && e.task.view === 'slow_features')).toBe(
      false,
    );
    // No job, parent or run queue is left: only the shared task queue's own keys.
    const left = await keysUnder(prefix);
    expect(left.filter((k) => /:run-|:tasks:[0-9a-z]+-\d+$/.test(k))).toEqual([]);
  } finally {
    await worker.close();
    await deleteKeysUnder(prefix);
  }
});

it('an unreachable Redis is one line naming the masked URL, exit 1', async () => {
  const result = await runCli(['--executor', 'bullmq', '--redis', 'redis://:pw-42@127.0.0.1:1']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /error: Failed to connect to the task queue at redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
  );
  expect(result.stderr).not.toContain('pw-42');
});
