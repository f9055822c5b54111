/**
 * The bullmq executor on a real Redis with real `duckfeat worker` processes: the outputs
 * are byte-identical to the in-process executor's with three workers, one of them killed
 * with SIGKILL mid-task (another worker finishes its task); a task failing every attempt
 * gives in-process's TaskError; an unreachable Redis fails at once without the password.
 * Each test uses its own key prefix and removes its keys.
 *
 * The kill test is the slowest of the engine's (~15 s on a quiet machine, more under
 * load): it starts three CLI processes, runs the prep twice, and waits out one lock
 * expiry (3 s lock, 1 s stalled check); it is the only test of a real worker death.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { withConnection } from '../../src/duckdb/connection.js';
import { BullmqExecutor } from '../../src/engine/bullmq-executor.js';
import { startTaskWorker, type TaskWorkerEvent } from '../../src/engine/bullmq-worker.js';
import { computeCutoffs, readDateRange } from '../../src/engine/cutoffs.js';
import { prep } from '../../src/engine/prep.js';
import { fingerprintFile, type TransactionsSource } from '../../src/engine/transactions.js';
import { QueueError, TaskError } from '../../src/errors.js';
import {
  deleteKeysUnder,
  keysUnder,
  REDIS_URL,
  spawnWorker,
  testPrefix,
  type WorkerProcess,
} from './bullmq-helpers.js';
import {
  CUSTOMER_ONLY,
  customerView,
  SQL_DIR,
  tempDir,
  writeCleanTransactions,
  writeRepository,
} from './helpers.js';

const CREATED = '2026-12-02 12:00:00';
let dir: string;
let cleanup: () => Promise<void>;
let transactions: TransactionsSource;
let cutoffs: string[];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const path = join(dir, 'transactions.parquet');
  await withConnection(async (c) => {
    await writeCleanTransactions(c, path);
    const range = await readDateRange(c, path);
    cutoffs = computeCutoffs(range.min, range.max);
  });
  transactions = await fingerprintFile(path);
});
afterAll(() => cleanup());

/** sha256 of every file under `root`, by relative path. */
async function hashes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.parquet')) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(root, path)] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  }
  return out;
}

/**
 * A view whose task at `slowCutoff` spins for a while (the other cutoffs are instant),
 * so a worker can be killed in the middle of it.
 */
function slowView(slowCutoff: string, spin: number): string {
  return `/*
name: slow_features
description: customers with a transaction before the cutoff; slow at one cutoff
@param cutoff TIMESTAMP  the cutoff
@param transactions VARCHAR  the transactions
*/
SELECT customer_id, $cutoff AS event_timestamp, count(*) AS transactions,
       any_value(spin.n) AS spin
FROM read_parquet($transactions),
     (SELECT count(*) AS n FROM range(CASE WHEN $cutoff = TIMESTAMP '${slowCutoff}' THEN ${spin} ELSE 1 END)) AS spin
WHERE invoice_date < $cutoff
GROUP BY customer_id
`;
}

describe('bullmq executor', () => {
  it('3 workers, one killed mid-task: outputs byte-identical to in-process', async () => {
    const prefix = testPrefix();
    const root = join(dir, 'kill');
    await cp(SQL_DIR, join(root, 'sql'), { recursive: true });
    const slowCutoff = cutoffs[0]!;
    await writeFile(join(root, 'sql/features/slow_features.sql'), slowView(slowCutoff, 8e8));
    await writeRepository(root, {
      extra: customerView('slow_features', `{ transactions: 'int64', spin: 'int64' }`),
    });
    const paths = projectPaths({ root });
    const common = { paths, transactions, createdTimestamp: CREATED, force: true };

    // The workers start while the reference runs (they wait for tasks meanwhile).
    const workers: WorkerProcess[] = [0, 1, 2].map(() =>
      spawnWorker(prefix, ['--lock-duration', '3000', '--stalled-interval', '1000']),
    );
    try {
      const reference = await prep({ ...common, executor: 'in-process' });
      expect(reference.computed).toBe(4 * cutoffs.length);
      const expected = await hashes(root);
      expect(Object.keys(expected)).toHaveLength(4 + 4 * cutoffs.length);
      await Promise.all(workers.map((w) => w.waitFor(/taking tasks from/)));
      const slowStart = new RegExp(`started slow_features @ ${slowCutoff}`);
      // SIGKILL the first worker that starts the slow task, while it runs it.
      const killed = Promise.race(workers.map((w) => w.waitFor(slowStart).then(() => w))).then(
        (w) => {
          w.child.kill('SIGKILL');
          return w;
        },
      );
      const result = await prep({
        ...common,
        executor: 'bullmq',
        queue: { url: REDIS_URL, prefix, backoffMs: 100 },
      });
      const victim = await killed;
      expect(result.computed).toBe(4 * cutoffs.length);
      expect(result.executor).toBe('bullmq');
      expect(await hashes(root)).toEqual(expected);

      expect(await victim.exited).toBe(null);
      expect(victim.log()).not.toMatch(new RegExp(`completed slow_features @ ${slowCutoff}`));
      const finisher = workers.filter(
        (w) => w !== victim && new RegExp(`completed slow_features @ ${slowCutoff}`).test(w.log()),
      );
      expect(finisher).toHaveLength(1);
      // The run's keys are gone: only the shared task queue's own remain.
      expect((await keysUnder(prefix)).filter((k) => k.includes(':run-'))).toEqual([]);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await deleteKeysUnder(prefix);
    }
  });

  it('a task failing every attempt throws the TaskError in-process throws', async () => {
    const prefix = testPrefix();
    const root = join(dir, 'fail');
    await mkdir(join(root, 'sql/features'), { recursive: true });
    await writeRepository(root, {
      source: CUSTOMER_ONLY + customerView('broken_features', `{ x: 'int64' }`),
    });
    await writeFile(
      join(root, 'sql/features/broken_features.sql'),
      `/*
name: broken_features
@param cutoff TIMESTAMP  the cutoff
@param transactions VARCHAR  the transactions
*/
SELECT customer_id, $cutoff AS event_timestamp, error('no luck for ' || min(customer_id)) AS x
FROM read_parquet($transactions) WHERE invoice_date < $cutoff GROUP BY customer_id
`,
    );
    const common = { paths: projectPaths({ root }), transactions, cutoffs: [cutoffs[0]!] };
    const inProcess = await prep({ ...common, executor: 'in-process' }).catch((e: unknown) => e);
    expect(inProcess).toBeInstanceOf(TaskError);
    expect((inProcess as Error).message).toMatch(
      /^Failed to run task broken_features at cutoff .* \(.*broken_features\.sql\): .*no luck for/,
    );

    const events: TaskWorkerEvent[] = [];
    const worker = await startTaskWorker({
      url: REDIS_URL,
      prefix,
      onEvent: (e) => events.push(e),
    });
    try {
      const error = await prep({
        ...common,
        executor: 'bullmq',
        queue: { url: REDIS_URL, prefix, attempts: 3, backoffMs: 50 },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskError);
      expect((error as Error).message).toBe((inProcess as Error).message);
      expect(
        events.filter((e) => e.kind === 'failed').map((e) => e.kind === 'failed' && e.attempt),
      ).toEqual([1, 2, 3]);
      expect((await keysUnder(prefix)).filter((k) => k.includes(':run-'))).toEqual([]);
    } finally {
      await worker.close();
      await deleteKeysUnder(prefix);
    }
  });

  it('an unreachable Redis fails at once, naming the URL without its password', {
    timeout: 20_000,
  }, async () => {
    const error = await BullmqExecutor.create({ url: 'redis://me:s3cret@127.0.0.1:1/0' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueueError);
    expect((error as Error).message).toMatch(
      /^Failed to connect to the task queue at redis:\/\/me:\*\*\*@127\.0\.0\.1:1\/0: .*ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain('s3cret');
    await expect(startTaskWorker({ url: 'redis://:s3cret@127.0.0.1:1' })).rejects.toThrow(
      /^Failed to connect to the task queue at redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
    );
  });
});
