import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { acquireFileLock } from '../../src/registry/file-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function lockPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'duckfeat-lock-'));
  dirs.push(dir);
  return join(dir, 'open.lock');
}

describe('acquireFileLock', () => {
  it('hands the lock to one holder at a time, in turn', async () => {
    const path = lockPath();
    const order: string[] = [];
    const holder = async (name: string) => {
      const lock = await acquireFileLock(path);
      order.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push(`${name} out`);
      await lock.release();
    };
    await Promise.all(['a', 'b', 'c'].map(holder));
    // Whatever the order, no one enters before the previous holder left.
    for (let i = 0; i < order.length; i += 2) {
      expect(order[i]!.endsWith(' in')).toBe(true);
      expect(order[i + 1]).toBe(order[i]!.replace(' in', ' out'));
    }
  });

  it('takes over a lock whose process is gone', async () => {
    const path = lockPath();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    mkdirSync(path);
    writeFileSync(join(path, 'pid'), dead.stdout.toString());
    const lock = await acquireFileLock(path, { timeoutMs: 2000 });
    await lock.release();
  });

  it('names the process holding it when it gives up', async () => {
    const path = lockPath();
    const lock = await acquireFileLock(path);
    try {
      const error = await acquireFileLock(path, { timeoutMs: 100, what: 'the registry' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as Error).message).toBe(
        `Failed to open the registry: it is in use by process ${process.pid} (remove ${path} if that process no longer exists)`,
      );
    } finally {
      await lock.release();
    }
  });
});
