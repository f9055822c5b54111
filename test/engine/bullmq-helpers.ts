import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { CLI } from './helpers.js';

/** The Redis the tests use (shared: every test keeps to its own key prefix). */
export const REDIS_URL = process.env['DUCKFEAT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix no one else uses. */
export function testPrefix(): string {
  return `duckfeat-test-${randomBytes(6).toString('hex')}`;
}

/** Every key under `prefix` (BullMQ's keys are `<prefix>:<queue>:…`). */
export async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

/** Delete this test's keys (and only them). */
export async function deleteKeysUnder(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  if (keys.length === 0) return;
  const redis = new Redis(REDIS_URL);
  try {
    await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** A `duckfeat worker` process; `log` collects its stderr. */
export interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  log: () => string;
  /** Resolves when the log matches. */
  waitFor: (pattern: RegExp) => Promise<void>;
  exited: Promise<number | null>;
}

export function spawnWorker(prefix: string, args: string[] = [], cwd?: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--redis', REDIS_URL, '--queue-prefix', prefix, ...args],
    { cwd },
  );
  let log = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(log)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stderr.on('data', (d: Buffer) => {
    log += d.toString();
    check();
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    log: () => log,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void exited.then(() => reject(new Error(`worker exited before ${pattern}:\n${log}`)));
      }),
    exited,
  };
}
