import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { NotFoundError } from '../errors.js';
import { loadSqlFile, type SqlFile } from './sql-file.js';

/** A SQL file `prep` materializes: a feature view or the labels. */
export interface ViewSource {
  kind: 'feature' | 'label';
  file: SqlFile;
}

/**
 * The SQL files `prep` runs: `sql/features/*.sql` (feature views) and `sql/labels/*.sql`
 * (labels), each named by its header. The one place that decides the list, so the
 * repository definitions can supply it later.
 */
export async function discoverViews(
  sqlDir: string,
  connection?: DuckDBConnection,
): Promise<ViewSource[]> {
  const sources: ViewSource[] = [];
  for (const [kind, folder] of [
    ['feature', 'features'],
    ['label', 'labels'],
  ] as const) {
    const dir = join(sqlDir, folder);
    const names = (await readdir(dir).catch(() => [] as string[]))
      .filter((n) => n.endsWith('.sql'))
      .sort();
    for (const name of names) {
      sources.push({ kind, file: await loadSqlFile(join(dir, name), { connection }) });
    }
  }
  if (sources.length === 0) {
    throw new NotFoundError(
      `Failed to find SQL files: none under ${join(sqlDir, 'features')} or ${join(sqlDir, 'labels')}`,
    );
  }
  const seen = new Map<string, string>();
  for (const { file } of sources) {
    const other = seen.get(file.name);
    if (other) {
      throw new NotFoundError(
        `Failed to find SQL files: view ${file.name} is named by both ${other} and ${file.path}`,
      );
    }
    seen.set(file.name, file.path);
  }
  return sources;
}
