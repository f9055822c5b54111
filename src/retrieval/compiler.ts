import { type ColumnInfo, isNumericType } from '../duckdb/column-types.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
import type { EntityRelation } from './entity-input.js';
import { MEMORY_TABLE, ROW_COLUMN } from './entity-input.js';
import {
  type OutputColumn,
  type PlanInput,
  planRetrieval,
  type RetrievalPlan,
  type ViewPlan,
  withUniqueSources,
} from './plan.js';
import type { RetrievalOptions } from './request.js';
import { relationSql, tieText } from './source-relation.js';
import { timestampExpression } from './timestamps.js';

export type { OutputColumn } from './plan.js';
export { sourceColumnNamer } from './source-relation.js';

/** SQL and the values bound to its `$name` parameters: the compiler's whole output. */
export interface CompiledQuery {
  readonly sql: string;
  readonly parameters: Readonly<Record<string, string | number>>;
}

/** A compiled retrieval: the query plus what it produces. */
export interface CompiledRetrieval extends CompiledQuery {
  /** The file name (without `.sql`) under `target/compiled/`. */
  readonly name: string;
  readonly columns: readonly OutputColumn[];
  /** The entity column used as the event timestamp. */
  readonly timestampColumn: string;
}

/** How a plan is rendered. */
export interface RenderOptions {
  /**
   * Cast numeric features (and numeric entity columns that are not join keys) to DOUBLE:
   * the variant `toColumns()` runs, so every numeric column reads as one `Float64Array`.
   */
  readonly numericAsDouble?: boolean;
}

/** What {@link compileRetrieval} takes: a plan's input, and the render's options. */
export interface CompileInput extends PlanInput, RenderOptions {
  /** Views whose source was checked to hold no duplicate (keys, feature timestamp) rows. */
  readonly uniqueKeyViews?: ReadonlySet<string>;
}

/**
 * Plan and render in one call (tests, tools): `renderRetrieval(planRetrieval(input))`.
 *
 * @example
 * const { sql, parameters } = compileRetrieval({ request: { features: 'rfm:*' }, views, entities });
 */
export function compileRetrieval(input: CompileInput): CompiledRetrieval {
  const plan = planRetrieval(input);
  return renderRetrieval(
    input.uniqueKeyViews ? withUniqueSources(plan, input.uniqueKeyViews) : plan,
    input,
  );
}

/**
 * Render a checked plan as one query: a CTE for the entity rows, a CTE per feature view
 * (rows known by `asOf`, deduplicated per keys and feature timestamp), one
 * `ASOF LEFT JOIN` per view, the TTL applied after the join, and the input order restored.
 * A pure function of the plan: the same plan gives the same SQL; nothing is read, written
 * or checked (the plan was).
 *
 * @example
 * const plan = planRetrieval({ request: { features: ['customer_rfm:*'] }, views, entities });
 * const { sql, parameters } = renderRetrieval(plan);
 * const forColumns = renderRetrieval(plan, { numericAsDouble: true });
 */
export function renderRetrieval(
  plan: RetrievalPlan,
  render: RenderOptions = {},
): CompiledRetrieval {
  const { options, columns } = plan;
  const ts = plan.entities.timestamp;
  const keys = new Set(plan.views.flatMap((v) => v.joinKeys));
  const doubles = render.numericAsDouble
    ? new Set(columns.filter((c) => isNumericType(c.type) && !keys.has(c.name)).map((c) => c.name))
    : new Set<string>();

  const parameters: Record<string, string | number> = {};
  const paramName = uniqueNamer(parameters);
  const entityCte = entitiesCte(plan.entities.relation, ts, parameters);
  const viewParts = plan.views.map((view) => {
    const ttlParam = view.ttlSeconds > 0 ? paramName(`${view.name}_ttl_seconds`) : undefined;
    if (ttlParam) parameters[ttlParam] = view.ttlSeconds;
    return { view, ttlParam, cte: viewCte(view, options, paramName, parameters) };
  });

  const refs = plan.views.map(
    (v) => `${v.name}: ${v.relation.features.map((f) => f.name).join(', ')}`,
  );
  const lines: string[] = [
    // The name is the caller's text: JSON-quoted so that a newline in it cannot end the comment.
    `-- duckfeat point-in-time retrieval ${JSON.stringify(plan.name)}`,
    ...refs.map((r) => `--   ${r}`),
    `-- entity timestamp ${q(ts.name)}; one output row per entity row, in input order`,
    'WITH',
    entityCte,
    ...viewParts.map((p, i) => (i < viewParts.length - 1 ? `${p.cte},` : p.cte)),
    '-- Each entity row joined, per view, to the newest feature row at or before its timestamp',
    '-- (same keys; NULL keys match nothing); a match older than the TTL counts as none. A NULL',
    '-- timestamp joins as -infinity, so that it matches nothing (in an ASOF join condition',
    '-- DuckDB would match a NULL to the newest feature row).',
    'SELECT',
    selectList(columns, viewParts, ts.name, options, doubles).join(',\n'),
    'FROM entities AS e',
  ];
  const entityTs = `coalesce(e.${q(ts.name)}, '-infinity'::TIMESTAMP)`;
  for (const { view } of viewParts) {
    const on = view.joinKeys.map((k) => `e.${q(k)} = ${view.alias}.${q(k)}`);
    lines.push(
      `ASOF LEFT JOIN ${q(`fv_${view.name}`)} AS ${view.alias}`,
      `  ON ${[...on, `${entityTs} >= ${view.alias}."__feature_ts"`].join(' AND ')}`,
    );
  }
  lines.push(`ORDER BY e.${q(ROW_COLUMN)}`, '');
  return { name: plan.name, sql: lines.join('\n'), parameters, columns, timestampColumn: ts.name };
}

function entitiesCte(
  relation: EntityRelation,
  ts: ColumnInfo,
  parameters: Record<string, string | number>,
): string {
  const convert = timestampExpression(q(ts.name), ts.type);
  const replace = convert === q(ts.name) ? '' : ` REPLACE (${convert} AS ${q(ts.name)})`;
  const row = q(ROW_COLUMN);
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

function viewCte(
  view: ViewPlan,
  options: RetrievalOptions,
  paramName: (base: string) => string,
  parameters: Record<string, string | number>,
): string {
  const { relation } = view;
  const pathParam = paramName(`${view.name}_path`);
  parameters[pathParam] = relation.path;
  const filters: string[] = [];
  let knownBy = '';
  if (options.asOf !== undefined) {
    if (relation.created) {
      parameters['as_of'] = options.asOf;
      filters.push(`${relation.created} <= $as_of::TIMESTAMP`);
      knownBy = ', known by $as_of';
    } else {
      knownBy = ' (no created timestamp column: asOf does not apply)';
    }
  }
  const keysText = view.joinKeys.map((k) => q(k)).join(', ');
  const body = relationSql(relation, {
    pathParameter: pathParam,
    keep: view.deduplicate ? 'keysAndTimestamp' : 'none',
    filters,
  });
  const head = `${q(`fv_${view.name}`)} AS (`;
  if (!view.deduplicate) {
    return [
      `-- ${view.name}: one row per (${keysText}, feature timestamp)${knownBy}; the source was`,
      '-- checked to hold no two rows with the same keys and feature timestamp: nothing to deduplicate.',
      head,
      ...body,
      ')',
    ].join('\n');
  }
  return [
    `-- ${view.name}: one row per (${keysText}, feature timestamp)${knownBy};`,
    `-- rows tied on the feature timestamp go to ${tieText(relation)}.`,
    head,
    ...body,
    ')',
  ].join('\n');
}

function selectList(
  columns: readonly OutputColumn[],
  parts: readonly { view: ViewPlan; ttlParam: string | undefined }[],
  ts: string,
  options: RetrievalOptions,
  doubles: ReadonlySet<string>,
): string[] {
  const list: string[] = [];
  if (options.rowIdColumn) list.push(`  e.${q(ROW_COLUMN)} AS ${q(options.rowIdColumn)}`);
  const recast = columns
    .filter((c) => c.role === 'entity' && doubles.has(c.name))
    .map((c) => `CAST(e.${q(c.name)} AS DOUBLE) AS ${q(c.name)}`);
  list.push(
    `  e.* EXCLUDE (${q(ROW_COLUMN)})${recast.length > 0 ? ` REPLACE (${recast.join(', ')})` : ''}`,
  );
  for (const part of parts) {
    const within = part.ttlParam
      ? `${part.view.alias}."__feature_ts" >= e.${q(ts)} - to_seconds($${part.ttlParam})`
      : undefined;
    const value = (expr: string) => (within ? `CASE WHEN ${within} THEN ${expr} END` : expr);
    for (const column of columns) {
      if (column.view !== part.view.name) continue;
      if (column.role === 'feature') {
        const read = value(`${part.view.alias}.${q(column.feature!)}`);
        const cast = doubles.has(column.name) ? `CAST(${read} AS DOUBLE)` : read;
        list.push(`  ${cast} AS ${q(column.name)}`);
      } else if (column.role === 'freshness') {
        list.push(`  ${value(`${part.view.alias}."__feature_ts"`)} AS ${q(column.name)}`);
      }
    }
  }
  return list;
}

/** Parameter names from view names: letters, digits and `_`, made unique. */
export function uniqueNamer(parameters: Record<string, unknown>): (base: string) => string {
  return (base) => {
    let name = base.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(name)) name = `p_${name}`;
    let candidate = name;
    for (let i = 2; candidate in parameters; i++) candidate = `${name}_${i}`;
    return candidate;
  };
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? pad + line : line))
    .join('\n');
}
