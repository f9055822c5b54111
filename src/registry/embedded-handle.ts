import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { errorMessage, RegistryError } from '../errors.js';
import { acquireFileLock, type FileLock } from './file-lock.js';
import { openPGlite } from './open-pglite.js';

/** An open embedded registry and the lock that keeps other processes out of it. */
export interface EmbeddedHandle {
  readonly pglite: PGlite;
  readonly lock: FileLock;
}

/** Open the embedded registry in `dataDir`, holding its lock (waits for another process's). */
export async function openEmbedded(dataDir: string): Promise<EmbeddedHandle> {
  await mkdir(dataDir, { recursive: true });
  // PGlite is single-process: a second CLI process waits here until the first closes.
  const lock: FileLock = await acquireFileLock(join(dataDir, 'open.lock'), {
    what: `the embedded registry ${dataDir}`,
  });
  try {
    return { pglite: await openPGlite(join(dataDir, 'pgdata')), lock };
  } catch (error) {
    await lock.release();
    throw new RegistryError(
      `Failed to open the embedded registry at ${dataDir}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

/** Close an embedded registry and release its lock. */
export async function closeEmbedded({ pglite, lock }: EmbeddedHandle): Promise<void> {
  try {
    await pglite.close();
  } finally {
    await lock.release();
  }
}
