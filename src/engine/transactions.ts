import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { errorMessage, InputError } from '../errors.js';

/** Cleaned transactions to compute features from, with the fingerprint reuse keys on. */
export interface TransactionsSource {
  path: string;
  fingerprint: string;
}

/**
 * Fingerprint a cleaned transactions parquet by path, size and modification time (what
 * `make` trusts): cheap at any size, and any rewrite of the file changes it. `ingest()`
 * gives a content fingerprint of the raw input instead.
 */
export async function fingerprintFile(path: string): Promise<TransactionsSource> {
  const absolute = resolve(path);
  try {
    return { path: absolute, fingerprint: await statFingerprint(absolute) };
  } catch (error) {
    throw new InputError(`Failed to read transactions: ${errorMessage(error)}`, { cause: error });
  }
}

/** sha256 of a file's absolute path, size and modification time (rejects a missing file). */
export async function statFingerprint(absolute: string): Promise<string> {
  const info = await stat(absolute);
  return createHash('sha256')
    .update(JSON.stringify([absolute, info.size, info.mtimeMs]))
    .digest('hex');
}
