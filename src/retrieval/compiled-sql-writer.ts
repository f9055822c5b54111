import { join } from 'node:path';
import { writeFileAtomically } from '../util/atomic-file.js';
import type { CompiledQuery } from './compiler.js';

/**
 * The compiled SQL with its bound parameters in a header comment, as `duckfeat sql`
 * prints it and `target/compiled/<name>.sql` holds it.
 */
export function renderCompiledSql(query: CompiledQuery): string {
  const names = Object.keys(query.parameters).sort();
  const header =
    names.length === 0
      ? ['-- parameters: none']
      : [
          '-- parameters (bound as $name, never pasted into the SQL):',
          ...names.map((n) => `--   $${n} = ${JSON.stringify(query.parameters[n])}`),
        ];
  return `${header.join('\n')}\n${query.sql}`;
}

/** Write `<dir>/<name>.sql` atomically; returns its path. */
export async function writeCompiledSql(
  dir: string,
  name: string,
  query: CompiledQuery,
): Promise<string> {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  const path = join(dir, `${safe}.sql`);
  await writeFileAtomically(path, renderCompiledSql(query));
  return path;
}
