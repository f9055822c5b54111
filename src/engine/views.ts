import type { DuckDBConnection } from '@duckdb/node-api';
import { resolveFrom } from '../config/paths.js';
import { NotFoundError, SqlFileError } from '../errors.js';
import type { Repository } from '../repo/repository.js';
import { displayPath, joinKeysOf } from '../repo/validate-repository.js';
import { loadSqlFile, type SqlFile } from './sql-file.js';

/** A SQL file `prep` materializes: a feature view's or a label view's transformation. */
export interface ViewSource {
  kind: 'feature' | 'label';
  file: SqlFile;
  /**
   * The join keys of the view's entities, in order: each output row carries them first,
   * and outputs are sorted by (event_timestamp, keys).
   */
  keys: readonly string[];
}

/**
 * The SQL files `prep` runs: the `transformation` of every feature view and label view the
 * repository declares, each with its entities' join keys. A file's header `name:` must be
 * the view's name (the output is `<name>.parquet`). Each file is read and parse-checked once.
 *
 * @example
 * const views = await repositoryViews(await loadRepository(paths));
 * views.map((v) => [v.file.name, v.keys]); // [['customer_behavior_features', ['customer_id']], …]
 */
export async function repositoryViews(
  repo: Repository,
  connection?: DuckDBConnection,
): Promise<ViewSource[]> {
  const declared = [
    ...repo.featureViews.flatMap((v) =>
      v.transformation ? [{ kind: 'feature' as const, view: v, sql: v.transformation }] : [],
    ),
    ...repo.labelViews.map((v) => ({ kind: 'label' as const, view: v, sql: v.transformation })),
  ];
  if (declared.length === 0) {
    throw new NotFoundError(
      `Failed to find SQL files: no feature view or label view of ${displayPath(repo.file)} has a transformation`,
    );
  }
  const sources: ViewSource[] = [];
  for (const { kind, view, sql } of declared) {
    const file = await loadSqlFile(resolveFrom(repo.root, sql), connection ? { connection } : {});
    if (file.name !== view.name) {
      throw new SqlFileError(
        `Failed to load SQL file: its header names view ${file.name}, but it is the transformation of ${kind} view ${view.name} in ${displayPath(repo.file)}`,
        `${file.path}:1`,
      );
    }
    sources.push({ kind, file, keys: joinKeysOf(repo, view.entities) });
  }
  return sources;
}
