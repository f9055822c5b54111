import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { projectPaths, resolveFrom } from '../config/paths.js';
import type { FeatureViewDefinition, ValueType } from '../definitions/types.js';
import { valueTypeOf } from '../duckdb/column-types.js';
import { withConnection } from '../duckdb/connection.js';
import { describeSqlFile, loadSqlFile, type SqlParamValue } from '../engine/sql-file.js';
import { DefinitionError, errorMessage } from '../errors.js';
import type { Repository } from './repository.js';
import { displayPath } from './validate-repository.js';

export interface SourceCheckOptions {
  /** A DuckDB connection to use; a throwaway in-memory one when omitted. */
  connection?: DuckDBConnection;
  /**
   * Sample values for the transformation SQL's parameters, used to describe its output when
   * the source file does not exist yet. Defaults: a timestamp, 1, and for named inputs
   * their declared path (`transactions`: the ingested transactions).
   */
  sampleParams?: Record<string, SqlParamValue>;
}

export interface SourceCheck {
  view: string;
  /** Where the schema came from; `undefined` when it could not be checked. */
  checkedAgainst?: string;
  /** Why it could not be checked. */
  skipped?: string;
}

/**
 * Check every feature view against its source's real schema: each join key (after the
 * field mapping), the timestamp columns and each declared feature must exist with the
 * declared type. The schema is read from the parquet/CSV file with DuckDB, or, when the
 * file does not exist yet, from the transformation SQL file described with sample
 * parameters. Throws a {@link DefinitionError} naming the view and the file.
 *
 * @example const checks = await validateSources(repo, { sampleParams: { transactions } })
 */
export async function validateSources(
  repo: Repository,
  options: SourceCheckOptions = {},
): Promise<SourceCheck[]> {
  const run = async (connection: DuckDBConnection) => {
    const checks: SourceCheck[] = [];
    for (const view of repo.featureViews)
      checks.push(await checkView(repo, view, connection, options));
    return checks;
  };
  if (options.connection) return run(options.connection);
  return withConnection(run, { threads: 1 });
}

async function checkView(
  repo: Repository,
  view: FeatureViewDefinition,
  connection: DuckDBConnection,
  options: SourceCheckOptions,
): Promise<SourceCheck> {
  const at = displayPath(repo.file);
  const what = `feature view "${view.name}"`;
  const sourcePath = resolveFrom(repo.dir, view.source.path);
  let columns: { name: string; type: string }[];
  let checkedAgainst: string;
  let fromSql = false;
  if (existsSync(sourcePath) || /[*?[]/.test(view.source.path)) {
    const reader = view.source.format === 'csv' ? 'read_csv' : 'read_parquet';
    try {
      const result = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}($path)`, {
        path: sourcePath,
      });
      columns = result.getRowObjectsJson().map((row) => ({
        name: String(row['column_name']),
        type: String(row['column_type']),
      }));
    } catch (error) {
      throw new DefinitionError(
        `Failed to read the source of ${what}: ${errorMessage(error).split('\n')[0]}`,
        at,
        { cause: error },
      );
    }
    checkedAgainst = displayPath(sourcePath);
  } else if (view.transformation) {
    const sqlPath = resolveFrom(repo.root, view.transformation);
    if (!existsSync(sqlPath)) {
      throw new DefinitionError(
        `Failed to define ${what}: its transformation ${view.transformation} does not exist`,
        at,
      );
    }
    const file = await loadSqlFile(sqlPath, { connection });
    const params: Record<string, SqlParamValue> = {};
    for (const param of file.parameters) {
      const declaredInput = repo.config.inputs?.[param.name];
      const sample =
        options.sampleParams?.[param.name] ??
        (declaredInput !== undefined
          ? resolveFrom(repo.root, declaredInput)
          : param.name === 'transactions'
            ? projectPaths({ root: repo.root, repo: repo.dir }).transactions
            : defaultSample(param.type));
      if (sample === undefined) {
        return {
          view: view.name,
          skipped: `no sample value for parameter ${param.name} of ${view.transformation}`,
        };
      }
      if (param.type === 'VARCHAR' && typeof sample === 'string' && !existsSync(sample)) {
        return {
          view: view.name,
          skipped: `neither ${displayPath(sourcePath)} nor the input ${displayPath(sample)} exists yet (run prep)`,
        };
      }
      params[param.name] = sample;
    }
    columns = await describeSqlFile(file, params, connection);
    fromSql = true;
    checkedAgainst = displayPath(sqlPath);
  } else {
    return { view: view.name, skipped: `${displayPath(sourcePath)} does not exist yet` };
  }

  const mapping = view.source.fieldMapping ?? {};
  const byName = new Map(columns.map((c) => [mapping[c.name] ?? c.name, c.type]));
  const expect = (column: string, type: ValueType | 'timestamp', role: string) => {
    const actual = byName.get(column);
    if (actual === undefined) {
      throw new DefinitionError(
        `Failed to define ${what}: ${role} "${column}" is missing from ${checkedAgainst} ` +
          `(its columns: ${[...byName.keys()].join(', ')})`,
        at,
      );
    }
    if (valueTypeOf(actual) !== type) {
      throw new DefinitionError(
        `Failed to define ${what}: ${role} "${column}" is declared ${type} but is ${actual} ` +
          `in ${checkedAgainst}`,
        at,
      );
    }
  };
  for (const entityName of view.entities) {
    const entity = repo.entities.find((e) => e.name === entityName)!;
    for (const key of entity.joinKeys) expect(key, entity.valueType, 'join key');
  }
  expect(view.source.timestampField, 'timestamp', 'timestamp field');
  // prep stamps the created timestamp when it writes the parquet: a transformation's own
  // output does not have it.
  if (view.source.createdTimestampColumn && !fromSql) {
    expect(view.source.createdTimestampColumn, 'timestamp', 'created timestamp column');
  }
  for (const feature of view.features) expect(feature.name, feature.type, 'feature');
  return { view: view.name, checkedAgainst };
}

function defaultSample(type: string | undefined): SqlParamValue | undefined {
  switch (type) {
    case 'TIMESTAMP':
      return '2011-06-01 00:00:00';
    case 'DATE':
      return '2011-06-01';
    case 'INTEGER':
    case 'BIGINT':
    case 'DOUBLE':
      return 30;
    case 'BOOLEAN':
      return false;
    default:
      return undefined;
  }
}
