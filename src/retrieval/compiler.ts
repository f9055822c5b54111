import { isNumericType } from '../duckdb/column-types.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
import { DUCKDB_TYPE, declaredValue } from './declared-types.js';
import { entitiesCte } from './entities-cte.js';
import { ROW_COLUMN } from './entity-input.js';
import {
  type OutputColumn,
  type PlanInput,
  planRetrieval,
  type RetrievalPlan,
  type ViewPlan,
  withUniqueSources,
} from './plan.js';
import { viewCtes } from './view-ctes.js';

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
 * `ASOF LEFT JOIN` per view (a view without entities joins on time alone), the TTL applied
 * after the join, declared types enforced, on-demand expressions over the joined row, and
 * the input order restored. A pure function of the plan: the same plan gives the same SQL;
 * nothing is read, written or checked (the plan was).
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
  const asOfFilter = (view: ViewPlan) => {
    if (options.asOf === undefined || !view.relation.created) return [];
    parameters['as_of'] = options.asOf;
    return [`${view.relation.created} <= $as_of::TIMESTAMP`];
  };
  const range = plan.entities.relation.kind === 'range';
  let entityCte = range
    ? ''
    : entitiesCte(plan.entities, plan.views, new Map(), asOfFilter, parameters);
  const paths = new Map<string, string>();
  const parts = plan.views.map((view) => {
    const ttlParam = view.ttlSeconds > 0 ? paramName(`${view.name}_ttl_seconds`) : undefined;
    if (ttlParam) parameters[ttlParam] = view.ttlSeconds;
    const pathParam = paramName(`${view.name}_path`);
    parameters[pathParam] = view.relation.path;
    paths.set(view.name, pathParam);
    const knownBy =
      options.asOf === undefined
        ? ''
        : view.relation.created
          ? ', known by $as_of'
          : ' (no created timestamp column: asOf does not apply)';
    const ctes = viewCtes(view, plan.entities, pathParam, asOfFilter(view), knownBy);
    return { view, ttlParam, ctes };
  });
  if (range) entityCte = entitiesCte(plan.entities, plan.views, paths, asOfFilter, parameters);

  const refs = [
    ...plan.views.map((v) => `${v.name}: ${v.features.map((f) => f.name).join(', ')}`),
    ...plan.onDemand.map(
      (o) => `${o.name} (on demand): ${o.features.map((f) => f.name).join(', ')}`,
    ),
  ];
  const ctes = parts.flatMap((p) => p.ctes);
  const expressions = outputExpressions(plan, parts, doubles);
  const joins: string[] = [];
  const entityTs = `coalesce(e.${q(ts.name)}, '-infinity'::TIMESTAMP)`;
  for (const { view } of parts) {
    if (view.join === 'knownByRow') {
      joins.push(
        `LEFT JOIN ${q(`pit_${view.name}`)} AS ${view.alias}`,
        `  ON ${view.alias}.${q(ROW_COLUMN)} = e.${q(ROW_COLUMN)}`,
      );
      continue;
    }
    const on = view.joinKeys.map((k) => `e.${q(k)} = ${view.alias}.${q(k)}`);
    joins.push(
      `ASOF LEFT JOIN ${q(`fv_${view.name}`)} AS ${view.alias}`,
      `  ON ${[...on, `${entityTs} >= ${view.alias}."__feature_ts"`].join(' AND ')}`,
    );
  }
  const lines: string[] = [
    // The name is the caller's text: JSON-quoted so that a newline in it cannot end the comment.
    `-- duckfeat point-in-time retrieval ${JSON.stringify(plan.name)}`,
    ...refs.map((r) => `--   ${r}`),
    `-- entity timestamp ${q(ts.name)}; one output row per entity row, in ${range ? 'order of keys and timestamp' : 'input order'}`,
    'WITH',
    entityCte,
    ...ctes.map((c, i) => (i < ctes.length - 1 || plan.onDemand.length > 0 ? `${c},` : c)),
  ];
  const joinComment = [
    '-- Each entity row joined, per view, to the newest feature row at or before its timestamp',
    '-- (same keys; NULL keys match nothing); a match older than the TTL counts as none. A NULL',
    '-- timestamp joins as -infinity, so that it matches nothing (in an ASOF join condition',
    '-- DuckDB would match a NULL to the newest feature row).',
  ];
  if (plan.onDemand.length === 0) {
    lines.push(
      ...joinComment,
      'SELECT',
      expressions.plain.join(',\n'),
      'FROM entities AS e',
      ...joins,
      `ORDER BY e.${q(ROW_COLUMN)}`,
      '',
    );
  } else {
    lines.push(
      ...joinComment,
      'retrieved AS (',
      '  SELECT',
      [`e.${q(ROW_COLUMN)}`, ...expressions.staged].map((x) => `    ${x}`).join(',\n'),
      '  FROM entities AS e',
      ...joins.map((j) => `  ${j}`),
      ')',
      '-- The on-demand features: their expressions over the inputs, by name, cast to the declared type.',
      'SELECT',
      expressions.final.join(',\n'),
      'FROM (',
      `  SELECT *, ${plan.onDemandInputs.map((input, i) => `${q(`__i${i}`)} AS ${q(input.name)}`).join(', ')}`,
      '  FROM retrieved',
      ')',
      `ORDER BY ${q(ROW_COLUMN)}`,
      '',
    );
  }
  return { name: plan.name, sql: lines.join('\n'), parameters, columns, timestampColumn: ts.name };
}

/**
 * The select lists: `plain` (no on-demand views: one SELECT), or `staged` (the joined row
 * with each output as `__o<i>` and each on-demand input as `__i<j>`) and `final` (outputs
 * under their names, on-demand expressions over the inputs' bare names).
 */
function outputExpressions(
  plan: RetrievalPlan,
  parts: readonly { view: ViewPlan; ttlParam: string | undefined }[],
  doubles: ReadonlySet<string>,
): { plain: string[]; staged: string[]; final: string[] } {
  const { options, columns } = plan;
  const ts = plan.entities.timestamp.name;
  const part = (name: string) => parts.find((p) => p.view.name === name)!;
  const value = (view: string, expr: string) => {
    const { view: v, ttlParam } = part(view);
    return ttlParam
      ? `CASE WHEN ${v.alias}."__feature_ts" >= e.${q(ts)} - to_seconds($${ttlParam}) THEN ${expr} END`
      : expr;
  };
  const featureValue = (view: string, feature: string) => {
    const v = part(view).view;
    const f = v.features.find((x) => x.name === feature)!;
    return declaredValue(value(view, `${v.alias}.${q(feature)}`), f.type, f.sourceType);
  };
  const asDouble = (column: OutputColumn, expr: string) =>
    doubles.has(column.name) ? `CAST(${expr} AS DOUBLE)` : expr;
  const expression = (column: OutputColumn): string => {
    switch (column.role) {
      case 'rowId':
        return `e.${q(ROW_COLUMN)}`;
      case 'entity':
        return asDouble(column, `e.${q(column.name)}`);
      case 'freshness':
        return value(column.view!, `${part(column.view!).view.alias}."__feature_ts"`);
      case 'feature': {
        if (doubles.has(column.name) && column.type === 'float64' && !column.onDemand) {
          return `CAST(${value(column.view!, `${part(column.view!).view.alias}.${q(column.feature!)}`)} AS DOUBLE)`;
        }
        return asDouble(column, featureValue(column.view!, column.feature!));
      }
    }
  };

  const plain: string[] = [];
  if (options.rowIdColumn) plain.push(`  e.${q(ROW_COLUMN)} AS ${q(options.rowIdColumn)}`);
  const recast = columns
    .filter((c) => c.role === 'entity' && doubles.has(c.name))
    .map((c) => `CAST(e.${q(c.name)} AS DOUBLE) AS ${q(c.name)}`);
  plain.push(
    `  e.* EXCLUDE (${q(ROW_COLUMN)})${recast.length > 0 ? ` REPLACE (${recast.join(', ')})` : ''}`,
  );
  for (const column of columns) {
    if ((column.role === 'feature' || column.role === 'freshness') && !column.onDemand) {
      plain.push(`  ${expression(column)} AS ${q(column.name)}`);
    }
  }

  const staged: string[] = [];
  const final: string[] = [];
  columns.forEach((column, i) => {
    if (column.onDemand) {
      const odv = plan.onDemand.find((o) => o.name === column.view)!;
      const f = odv.features.find((x) => x.name === column.feature)!;
      const target = doubles.has(column.name) ? 'DOUBLE' : DUCKDB_TYPE[f.type];
      final.push(`  CAST((${f.expression}) AS ${target}) AS ${q(column.name)}`);
      return;
    }
    staged.push(`${expression(column)} AS ${q(`__o${i}`)}`);
    final.push(`  ${q(`__o${i}`)} AS ${q(column.name)}`);
  });
  plan.onDemandInputs.forEach((input, j) => {
    const expr =
      'request' in input.from
        ? declaredValue(
            `e.${q(input.from.request)}`,
            input.type,
            plan.entities.columns.find((c) => c.name === input.name)?.type,
          )
        : featureValue(input.from.view, input.from.feature);
    staged.push(`${expr} AS ${q(`__i${j}`)}`);
  });
  return { plain, staged, final };
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
