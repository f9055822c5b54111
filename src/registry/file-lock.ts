import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from '../errors.js';

export interface FileLock {
  release(): Promise<void>;
}

/** A lock directory with no pid in it after this long was left by a process that died. */
const UNOWNED_AFTER_MS = 5_000;

/**
 * An inter-process lock: a directory created atomically with `mkdir`, holding the owner's
 * pid. A lock whose owner is gone is taken over (by one waiter at a time, see
 * {@link takeOver}). Waits up to `timeoutMs`.
 *
 * @example const lock = await acquireFileLock('/repo/.registry/open.lock'); try { … } finally { await lock.release() }
 */
export async function acquireFileLock(
  path: string,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<FileLock> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let delay = 20;
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(join(path, 'pid'), String(process.pid));
      return { release: () => rm(path, { recursive: true, force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await ownerOf(path);
    if (owner.gone) {
      await takeOver(path, owner.pid);
      continue;
    }
    if (Date.now() > deadline) {
      throw new RegistryError(
        `Failed to open ${options.what ?? path}: it is in use by process ${owner.pid || '?'} ` +
          `(remove ${path} if that process no longer exists)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 200);
  }
}

/**
 * The pid written in a lock directory (0 when there is none) and whether its owner is gone:
 * the process no longer exists, or the directory has had no pid for {@link UNOWNED_AFTER_MS}
 * (its creator died between `mkdir` and writing the pid). A lock that vanished is not gone:
 * the caller simply tries again.
 */
async function ownerOf(path: string): Promise<{ pid: number; gone: boolean }> {
  const pid = Number(await readFile(join(path, 'pid'), 'utf8').catch(() => '')) || 0;
  if (pid) return { pid, gone: !isAlive(pid) };
  const created = await stat(path).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  return { pid, gone: created !== undefined && Date.now() - created > UNOWNED_AFTER_MS };
}

/**
 * Remove the lock at `path` left by `deadPid`, unless it is no longer that one's. Several
 * waiters find the same dead owner at once; had each simply removed the directory, a slow
 * one would remove the lock a faster one had just taken after its own removal, and both
 * would hold it. So a second directory, `<path>.takeover`, lets one waiter at a time re-read
 * the owner and remove the lock only if it still is `deadPid`'s; the others try again. A
 * takeover directory whose own owner died is cleared the same way.
 */
async function takeOver(path: string, deadPid: number): Promise<void> {
  const guard = `${path}.takeover`;
  try {
    await mkdir(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if ((await ownerOf(guard)).gone) await rm(guard, { recursive: true, force: true });
    return;
  }
  try {
    await writeFile(join(guard, 'pid'), String(process.pid));
    const now = await ownerOf(path);
    if (now.gone && now.pid === deadPid) await rm(path, { recursive: true, force: true });
  } finally {
    await rm(guard, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
