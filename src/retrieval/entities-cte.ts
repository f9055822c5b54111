import type { ColumnInfo } from '../duckdb/column-types.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
import { MEMORY_TABLE, ROW_COLUMN } from './entity-input.js';
import type { RetrievalPlan, ViewPlan } from './plan.js';
import { relationSql } from './source-relation.js';
import { timestampExpression } from './timestamps.js';

/**
 * The `entities` CTE: the entity rows numbered in input order (the number orders the
 * output), timestamps as UTC `TIMESTAMP`; for a `start`/`end` request, every distinct
 * (keys, feature timestamp) of the views in the range, numbered by keys then timestamp.
 * `pathParameters` names each view's path parameter (range requests read the sources).
 */
export function entitiesCte(
  entities: RetrievalPlan['entities'],
  views: readonly ViewPlan[],
  pathParameters: ReadonlyMap<string, string>,
  asOfFilter: (view: ViewPlan) => string[],
  parameters: Record<string, string | number>,
): string {
  const { relation } = entities;
  const row = q(ROW_COLUMN);
  if (relation.kind === 'range') {
    parameters['start'] = relation.start;
    parameters['end'] = relation.end;
    const keys = entities.columns.slice(0, -1).map((c) => q(c.name));
    const keyed = views.filter((v) => v.joinKeys.length === keys.length);
    const selects = keyed.map((view) => {
      const rows = relationSql(view.relation, {
        pathParameter: pathParameters.get(view.name)!,
        keep: 'none',
        features: [],
        filters: [
          `${view.relation.timestamp} >= $start::TIMESTAMP`,
          `${view.relation.timestamp} <= $end::TIMESTAMP`,
          ...asOfFilter(view),
        ],
      });
      return [
        `    SELECT DISTINCT ${[...keys, '"__feature_ts" AS "event_timestamp"'].join(', ')} FROM (`,
        ...rows
          .join('\n')
          .split('\n')
          .map((line) => `    ${line}`),
        '    )',
      ].join('\n');
    });
    return [
      '-- The entity rows: every (keys, feature timestamp) of the views with $start <= feature',
      '-- timestamp <= $end, numbered in order of keys, then timestamp.',
      'entities AS (',
      `  SELECT *, row_number() OVER (ORDER BY ${[...keys, '"event_timestamp"'].join(', ')}) AS ${row}`,
      '  FROM (',
      selects.join('\n    UNION\n'),
      '  )',
      '),',
    ].join('\n');
  }
  const converted = [entities.timestamp, ...(entities.asOf ? [entities.asOf] : [])]
    .map((c: ColumnInfo) => ({ c, expr: timestampExpression(q(c.name), c.type) }))
    .filter(({ c, expr }) => expr !== q(c.name))
    .map(({ c, expr }) => `${expr} AS ${q(c.name)}`);
  const replace = converted.length > 0 ? ` REPLACE (${converted.join(', ')})` : '';
  let comment =
    '-- The entity rows, numbered in input order (the number orders the output), timestamps\n' +
    '-- as UTC TIMESTAMP.';
  let star = `*${replace}`;
  let extra: string[];
  let from: string;
  switch (relation.kind) {
    case 'parquet':
      parameters['entity_path'] = relation.path;
      if (/[*?[]/.test(relation.path)) {
        star = `* EXCLUDE (filename, file_row_number)${replace}`;
        extra = [`row_number() OVER (ORDER BY filename, file_row_number) AS ${row}`];
        from = 'read_parquet($entity_path, filename := true, file_row_number := true)';
      } else {
        star = `* EXCLUDE (file_row_number)${replace}`;
        extra = [`file_row_number + 1 AS ${row}`];
        from = 'read_parquet($entity_path, file_row_number := true)';
      }
      break;
    case 'csv':
      parameters['entity_path'] = relation.path;
      extra = [`row_number() OVER () AS ${row}`];
      from = 'read_csv($entity_path)';
      break;
    case 'sql':
      extra = [`row_number() OVER () AS ${row}`];
      from = `(\n${indent(relation.sql, 4)}\n  )`;
      break;
    case 'memory':
      comment = `${comment}\n-- They were given in memory (${relation.rowCount} rows): the job loads them into a temporary table.`;
      extra = [];
      from = q(MEMORY_TABLE);
      break;
  }
  return `${comment}\nentities AS (\n  SELECT\n    ${[star, ...extra].join(',\n    ')}\n  FROM ${from}\n),`;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? pad + line : line))
    .join('\n');
}
