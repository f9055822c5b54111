import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from '../errors.js';

export interface FileLock {
  release(): Promise<void>;
}

/**
 * An inter-process lock: a directory created atomically with `mkdir`, holding the owner's
 * pid. A lock whose owner is gone is taken over. Waits up to `timeoutMs`.
 *
 * @example const lock = await acquireFileLock('/repo/.registry/open.lock'); try { … } finally { await lock.release() }
 */
export async function acquireFileLock(
  path: string,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<FileLock> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const owner = join(path, 'pid');
  let delay = 20;
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(owner, String(process.pid));
      return { release: () => rm(path, { recursive: true, force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number(await readFile(owner, 'utf8').catch(() => ''));
    if (pid && !isAlive(pid)) {
      // Its owner died: remove and retry (mkdir decides who wins if several see this).
      await rm(path, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new RegistryError(
        `Failed to open ${options.what ?? path}: it is in use by process ${pid || '?'} ` +
          `(remove ${path} if that process no longer exists)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 200);
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
