import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

  it("lets only one of several waiters take over a dead owner's lock", async () => {
    // All of them find the same dead pid at once: the first to take over must not have its
    // fresh lock removed by another one that read the dead pid before.
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout,
    );
    for (let round = 0; round < 20; round++) {
      const path = lockPath();
      mkdirSync(path);
      writeFileSync(join(path, 'pid'), String(dead));
      let inside = 0;
      let most = 0;
      const holder = async () => {
        const lock = await acquireFileLock(path, { timeoutMs: 10_000 });
        inside++;
        most = Math.max(most, inside);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inside--;
        await lock.release();
      };
      await Promise.all(Array.from({ length: 4 }, holder));
      expect(most).toBe(1);
    }
  });

  it('takes over a lock left without a pid, and clears a takeover left by a dead process', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const path = lockPath();
    mkdirSync(path); // its creator died before writing its pid…
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old); // …a minute ago
    mkdirSync(`${path}.takeover`); // and so did a process taking it over
    writeFileSync(join(`${path}.takeover`, 'pid'), dead.stdout.toString());
    const lock = await acquireFileLock(path, { timeoutMs: 2000 });
    await lock.release();
    // A lock without a pid that is only just made is someone's, about to write it: wait.
    mkdirSync(path);
    const error = await acquireFileLock(path, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
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
