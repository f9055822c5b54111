import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A temp path beside `target` (same directory, so the final rename is atomic).
 * The name keeps the target's extension so tools that sniff it (DuckDB COPY) still work.
 */
export function tempPathFor(target: string): string {
  const name = basename(target);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  return join(
    dirname(target),
    `.${stem}.${process.pid}.${randomBytes(4).toString('hex')}.tmp${ext}`,
  );
}

/**
 * Write `target` through a temp file and a rename: readers see the old file or the new
 * one, never half of one. `produce` writes to the temp path it is given; if it throws,
 * the temp file is removed and `target` is untouched.
 */
export async function writeAtomically<T>(
  target: string,
  produce: (tempPath: string) => Promise<T>,
): Promise<T> {
  await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    const result = await produce(temp);
    await rename(temp, target);
    return result;
  } catch (error) {
    await rm(temp, { force: true, recursive: true });
    throw error;
  }
}

/** Write text or bytes to `target` atomically. */
export async function writeFileAtomically(
  target: string,
  data: string | Uint8Array,
): Promise<void> {
  await writeAtomically(target, (temp) => writeFile(temp, data));
}
