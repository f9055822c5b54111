import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { resolveFrom } from '../config/paths.js';
import { errorMessage, SqlFileError } from '../errors.js';
import { statFingerprint, type TransactionsSource } from './transactions.js';
import type { ViewSource } from './views.js';

/** A named input a SQL file reads as `$name`: a file or glob, and the fingerprint reuse keys on. */
export type InputSource = TransactionsSource;

/** The parameters `prep` supplies itself; any other `$name` must be a named input. */
export const PREP_PARAMETERS = ['cutoff', 'feature_window_days', 'label_window_days'] as const;

const GLOB = /[*?[]/;

/**
 * Resolve the named inputs the views' SQL files use: `given` ones as they are (the
 * ingested `transactions`), declared ones (paths or globs against `root`) fingerprinted by
 * each matched file's path, size and modification time. A `$name` that is neither a
 * parameter prep supplies nor a declared input, and a declared input with no file, fail
 * with a {@link SqlFileError} at the first line that uses it, listing the declared inputs.
 */
export async function resolveInputs(
  views: readonly ViewSource[],
  declared: Readonly<Record<string, string>>,
  given: Readonly<Record<string, InputSource>>,
  root: string,
  connection: DuckDBConnection,
): Promise<Record<string, InputSource>> {
  const names = [...new Set([...Object.keys(given), ...Object.keys(declared)])].sort();
  const list = names.join(', ') || 'none';
  const inputs: Record<string, InputSource> = {};
  for (const { file } of views) {
    for (const param of file.parameters) {
      const name = param.name;
      if ((PREP_PARAMETERS as readonly string[]).includes(name) || inputs[name]) continue;
      const at = `${file.path}:${param.line}`;
      const known = given[name];
      if (known) {
        inputs[name] = known;
        continue;
      }
      const path = declared[name];
      if (path === undefined) {
        throw new SqlFileError(
          `Failed to plan prep: $${name} is neither a parameter prep supplies (${PREP_PARAMETERS.join(', ')}) nor a declared input (declared inputs: ${list}; declare one with defineConfig({ inputs: { ${name}: 'path' } }))`,
          at,
        );
      }
      try {
        inputs[name] = await fingerprintInput(resolveFrom(root, path), connection);
      } catch (error) {
        throw new SqlFileError(
          `Failed to read input "${name}" (${path}): ${errorMessage(error)} (declared inputs: ${list})`,
          at,
          { cause: error },
        );
      }
    }
  }
  return inputs;
}

/**
 * Fingerprint a file (its path, size and modification time, as `fingerprintFile`) or a glob
 * (a hash of every matched file's); a missing file or a glob that matches nothing is an error.
 */
export async function fingerprintInput(
  path: string,
  connection: DuckDBConnection,
): Promise<InputSource> {
  if (!GLOB.test(path)) return { path, fingerprint: await statFingerprint(path) };
  const reader = await connection.runAndReadAll('SELECT file FROM glob($path) ORDER BY file', {
    path,
  });
  const files = reader.getRows().map((r) => String(r[0]));
  if (files.length === 0) throw new Error('the glob matches no file');
  const each = await Promise.all(files.map(statFingerprint));
  return { path, fingerprint: createHash('sha256').update(JSON.stringify(each)).digest('hex') };
}

/**
 * The fingerprint of what one SQL file reads: the one input's own (so a file reading only
 * `$transactions` keys on the ingest fingerprint), or a hash of every input it uses.
 */
export function inputsFingerprint(used: readonly [string, InputSource][]): string {
  if (used.length === 1) return used[0]![1].fingerprint;
  return createHash('sha256')
    .update(JSON.stringify(used.map(([name, input]) => [name, input.fingerprint])))
    .digest('hex');
}
