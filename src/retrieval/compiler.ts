import type { FeatureServiceDefinition, ResolvedFeatureView } from '../definitions/types.js';
import { type ColumnInfo, isNumericType } from '../duckdb/column-types.js';
import { InputError } from '../errors.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
import type { EntityRelation } from './entity-input.js';
import { MEMORY_TABLE, ROW_COLUMN } from './entity-input.js';
import { resolveFeatureSelection, type ViewSelection } from './feature-refs.js';
import {
  type HistoricalFeaturesRequest,
  normalizeOptions,
  type RetrievalOptions,
} from './request.js';
import { entityTimestampColumn, isTimestampType, timestampExpression } from './timestamps.js';

/** SQL and the values bound to its `$name` parameters: the compiler's whole output. */
export interface CompiledQuery {
  readonly sql: string;
  readonly parameters: Readonly<Record<string, string | number>>;
}

/** An output column of a retrieval and where it comes from. */
export interface OutputColumn {
  readonly name: string;
  readonly role: 'rowId' | 'entity' | 'feature' | 'freshness';
  /** DuckDB type for entity columns; the feature's value type for features. */
  readonly type: string;
  readonly view?: string;
  /** The feature's name in its view (features only). */
  readonly feature?: string;
}

/** A compiled retrieval: the query plus what it produces. */
export interface CompiledRetrieval extends CompiledQuery {
  /** The file name (without `.sql`) under `target/compiled/`. */
  readonly name: string;
  readonly columns: readonly OutputColumn[];
  /** The entity column used as the event timestamp. */
  readonly timestampColumn: string;
}

/** Everything the compiler needs; nothing in it touches a database. */
export interface CompileInput {
  readonly request: Omit<HistoricalFeaturesRequest, 'entities'>;
  readonly views: readonly ResolvedFeatureView[];
  readonly services?: readonly FeatureServiceDefinition[];
  readonly entities: { readonly relation: EntityRelation; readonly columns: readonly ColumnInfo[] };
  /** Columns of each view's source, when known: timestamp types and missing columns are checked. */
  readonly sourceColumns?: Readonly<Record<string, readonly ColumnInfo[]>>;
  /**
   * Cast numeric features (and numeric entity columns that are not join keys) to DOUBLE:
   * the variant `toColumns()` runs, so every numeric column reads as one `Float64Array`.
   */
  readonly numericAsDouble?: boolean;
  /**
   * Views whose source is known to hold at most one row per (join keys, feature timestamp)
   * (see `duplicateProbe`): their CTE skips the deduplication, which is a sort of the whole
   * source. The result is the same either way; only the work differs.
   */
  readonly uniqueKeyViews?: ReadonlySet<string>;
}

/**
 * Compile a point-in-time retrieval into one query: a CTE for the entity rows, a CTE per
 * feature view (rows known by `asOf`, deduplicated per keys and feature timestamp), one
 * `ASOF LEFT JOIN` per view, the TTL applied after the join, and the input order restored.
 * A pure function: the same input gives the same SQL, and nothing is read or written.
 *
 * @example
 * const { sql, parameters } = compileRetrieval({
 *   request: { features: ['customer_rfm:*'] },
 *   views,
 *   entities: { relation: { kind: 'parquet', path: '/abs/labels.parquet' }, columns },
 * });
 */
export function compileRetrieval(input: CompileInput): CompiledRetrieval {
  const options = normalizeOptions(input.request);
  const selection = resolveFeatureSelection(input.request.features, input.views, input.services);
  for (const view of options.ttlOverride.keys()) {
    if (!selection.views.some((s) => s.view.name === view)) {
      throw new InputError(
        `Failed to compile retrieval: the TTL override names view "${view}", which is not requested (requested: ${selection.views.map((s) => s.view.name).join(', ')})`,
      );
    }
  }
  const entityColumns = input.entities.columns;
  const ts = entityTimestampColumn(entityColumns);
  for (const { view } of selection.views) {
    const missing = view.joinKeys.filter((key) => !entityColumns.some((c) => c.name === key));
    if (missing.length > 0) {
      throw new InputError(
        `Failed to compile retrieval: the entity rows lack join key ${missing.map((k) => `"${k}"`).join(', ')} of feature view "${view.name}" (entity columns: ${entityColumns.map((c) => c.name).join(', ')})`,
      );
    }
  }
  const columns = outputColumns(entityColumns, selection.views, options);
  const keys = new Set(selection.views.flatMap((s) => s.view.joinKeys));
  const doubles = input.numericAsDouble
    ? new Set(columns.filter((c) => isNumericType(c.type) && !keys.has(c.name)).map((c) => c.name))
    : new Set<string>();

  const parameters: Record<string, string | number> = {};
  const paramName = uniqueNamer(parameters);
  const entityCte = entitiesCte(input.entities.relation, ts, parameters);
  const viewParts = selection.views.map((selected, index) => {
    const alias = `v${index + 1}`;
    const ttl = options.ttlOverride.get(selected.view.name) ?? selected.view.ttlSeconds;
    const ttlParam = ttl > 0 ? paramName(`${selected.view.name}_ttl_seconds`) : undefined;
    if (ttlParam) parameters[ttlParam] = ttl;
    return {
      selected,
      alias,
      ttlParam,
      cte: viewCte(
        selected,
        input.sourceColumns?.[selected.view.name],
        options,
        paramName,
        parameters,
        input.uniqueKeyViews?.has(selected.view.name) ?? false,
      ),
    };
  });

  const name = input.request.name ?? selection.service ?? 'historical_features';
  const refs = selection.views.map(
    (s) => `${s.view.name}: ${s.features.map((f) => f.name).join(', ')}`,
  );
  const lines: string[] = [
    // The name is the caller's text: JSON-quoted so that a newline in it cannot end the comment.
    `-- duckfeat point-in-time retrieval ${JSON.stringify(name)}`,
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
  for (const part of viewParts) {
    const keys = part.selected.view.joinKeys.map((k) => `e.${q(k)} = ${part.alias}.${q(k)}`);
    lines.push(
      `ASOF LEFT JOIN ${q(`fv_${part.selected.view.name}`)} AS ${part.alias}`,
      `  ON ${[...keys, `${entityTs} >= ${part.alias}."__feature_ts"`].join(' AND ')}`,
    );
  }
  lines.push(`ORDER BY e.${q(ROW_COLUMN)}`, '');
  return { name, sql: lines.join('\n'), parameters, columns, timestampColumn: ts.name };
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
  selected: ViewSelection,
  sourceColumns: readonly ColumnInfo[] | undefined,
  options: RetrievalOptions,
  paramName: (base: string) => string,
  parameters: Record<string, string | number>,
  unique: boolean,
): string {
  const { view } = selected;
  const rows = viewSourceRows(selected, sourceColumns, options.asOf, paramName, parameters);
  const partition = [...rows.keys, rows.timestamp];
  const keysText = view.joinKeys.map((k) => q(k)).join(', ');
  const head = [
    `${q(`fv_${view.name}`)} AS (`,
    `  SELECT ${rows.selectList.join(', ')}`,
    `  FROM ${rows.from}`,
    `  WHERE ${rows.where.join('\n    AND ')}`,
  ];
  if (unique) {
    return [
      `-- ${view.name}: one row per (${keysText}, feature timestamp)${rows.knownBy}; the source was`,
      '-- checked to hold no two rows with the same keys and feature timestamp: nothing to deduplicate.',
      ...head,
      ')',
    ].join('\n');
  }
  return [
    `-- ${view.name}: one row per (${keysText}, feature timestamp)${rows.knownBy};`,
    `-- rows tied on the feature timestamp go to ${rows.tieText}.`,
    ...head,
    ...(rows.tieBreak.length > 0
      ? [
          `  QUALIFY row_number() OVER (`,
          `    PARTITION BY ${partition.join(', ')}`,
          `    ORDER BY ${rows.tieBreak.join(', ')}`,
          '  ) = 1',
        ]
      : [`  QUALIFY row_number() OVER (PARTITION BY ${partition.join(', ')}) = 1`]),
    ')',
  ].join('\n');
}

/**
 * A view's source rows as retrieval reads them, in parts that a query completes: the
 * retrieval CTE keeps one row per (keys, feature timestamp); `materialize` keeps one row per
 * keys, the newest. One generator for both, so that the rows they pick are the same.
 */
export interface ViewSourceRows {
  /** The table function reading the source, its path bound as a parameter. */
  readonly from: string;
  /** The join keys and features under their names, the feature timestamp as `"__feature_ts"`. */
  readonly selectList: readonly string[];
  /** Keys and timestamp not NULL; `created <= $as_of` when asked. */
  readonly where: readonly string[];
  /** The feature timestamp (UTC `TIMESTAMP`) over the source's columns. */
  readonly timestamp: string;
  /** The join keys over the source's columns. */
  readonly keys: readonly string[];
  /** The order that picks one of the rows tied on keys and feature timestamp. */
  readonly tieBreak: readonly string[];
  /** Comment text: how `asOf` applied. */
  readonly knownBy: string;
  /** Comment text: who wins a tie. */
  readonly tieText: string;
}

/**
 * The parts of the query reading a view's source (see {@link ViewSourceRows}); checks the
 * source's columns when they are known. Adds its parameters to `parameters`.
 */
export function viewSourceRows(
  selected: ViewSelection,
  sourceColumns: readonly ColumnInfo[] | undefined,
  asOf: string | undefined,
  paramName: (base: string) => string,
  parameters: Record<string, string | number>,
): ViewSourceRows {
  const { view } = selected;
  const source = view.source;
  const sourceName = sourceColumnNamer(view);
  const typeOf = (column: string) => sourceColumns?.find((c) => c.name === column)?.type;
  if (sourceColumns) {
    const wanted = [
      ...view.joinKeys,
      source.timestampField,
      ...(source.createdTimestampColumn ? [source.createdTimestampColumn] : []),
      ...selected.features.map((f) => f.name),
    ];
    const missing = wanted.filter((name) => typeOf(sourceName(name)) === undefined);
    if (missing.length > 0) {
      throw new InputError(
        `Failed to compile retrieval: the source of feature view "${view.name}" (${source.path}) has no column ${missing.map((m) => `"${sourceName(m)}"`).join(', ')} (its columns: ${sourceColumns.map((c) => c.name).join(', ')})`,
      );
    }
    for (const column of [source.timestampField, source.createdTimestampColumn]) {
      if (column && !isTimestampType(typeOf(sourceName(column))!)) {
        throw new InputError(
          `Failed to compile retrieval: column "${sourceName(column)}" of feature view "${view.name}" has type ${typeOf(sourceName(column))}, not a timestamp`,
        );
      }
    }
  }
  const col = (name: string) => q(sourceName(name));
  const tsExpr = timestampExpression(
    col(source.timestampField),
    typeOf(sourceName(source.timestampField)),
  );
  const createdExpr = source.createdTimestampColumn
    ? timestampExpression(
        col(source.createdTimestampColumn),
        typeOf(sourceName(source.createdTimestampColumn)),
      )
    : undefined;
  const pathParam = paramName(`${view.name}_path`);
  parameters[pathParam] = source.path;
  const reader = source.format === 'csv' ? 'read_csv' : 'read_parquet';
  const alias = (name: string) =>
    sourceName(name) === name ? col(name) : `${col(name)} AS ${q(name)}`;
  const selectList = [
    ...view.joinKeys.map(alias),
    `${tsExpr} AS "__feature_ts"`,
    ...selected.features.map((f) => alias(f.name)),
  ];
  const where = [
    ...view.joinKeys.map((k) => `${col(k)} IS NOT NULL`),
    `${col(source.timestampField)} IS NOT NULL`,
  ];
  let knownBy = '';
  if (asOf !== undefined) {
    if (createdExpr) {
      const asOfParam = 'as_of';
      parameters[asOfParam] = asOf;
      where.push(`${createdExpr} <= $${asOfParam}::TIMESTAMP`);
      knownBy = ', known by $as_of';
    } else {
      knownBy = ' (no created timestamp column: asOf does not apply)';
    }
  }
  // Ties are broken on every declared feature the source has, not only the requested
  // ones, so that two requests for different features of a view pick the same row.
  const tieBreak = view.features
    .filter((f) => !sourceColumns || typeOf(sourceName(f.name)) !== undefined)
    .map((f) => `${col(f.name)} ASC NULLS LAST`);
  return {
    from: `${reader}($${pathParam})`,
    selectList,
    where,
    timestamp: tsExpr,
    keys: view.joinKeys.map(col),
    tieBreak: [...(createdExpr ? [`${createdExpr} DESC NULLS LAST`] : []), ...tieBreak],
    knownBy,
    tieText: createdExpr
      ? `the greatest ${col(source.createdTimestampColumn!)}, then the smallest feature values`
      : 'the smallest feature values',
  };
}

function selectList(
  columns: readonly OutputColumn[],
  parts: readonly { selected: ViewSelection; alias: string; ttlParam: string | undefined }[],
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
      ? `${part.alias}."__feature_ts" >= e.${q(ts)} - to_seconds($${part.ttlParam})`
      : undefined;
    const value = (expr: string) => (within ? `CASE WHEN ${within} THEN ${expr} END` : expr);
    for (const column of columns) {
      if (column.view !== part.selected.view.name) continue;
      if (column.role === 'feature') {
        const read = value(`${part.alias}.${q(column.feature!)}`);
        const cast = doubles.has(column.name) ? `CAST(${read} AS DOUBLE)` : read;
        list.push(`  ${cast} AS ${q(column.name)}`);
      } else if (column.role === 'freshness') {
        list.push(`  ${value(`${part.alias}."__feature_ts"`)} AS ${q(column.name)}`);
      }
    }
  }
  return list;
}

function outputColumns(
  entity: readonly ColumnInfo[],
  views: readonly ViewSelection[],
  options: RetrievalOptions,
): OutputColumn[] {
  const columns: OutputColumn[] = [];
  if (options.rowIdColumn)
    columns.push({ name: options.rowIdColumn, role: 'rowId', type: 'BIGINT' });
  for (const c of entity) columns.push({ name: c.name, role: 'entity', type: c.type });
  for (const { view, features } of views) {
    for (const f of features) {
      columns.push({
        name: options.fullFeatureNames ? `${view.name}__${f.name}` : f.name,
        role: 'feature',
        type: f.type,
        view: view.name,
        feature: f.name,
      });
    }
    if (options.freshness) {
      columns.push({
        name: `${view.name}__event_timestamp`,
        role: 'freshness',
        type: 'timestamp',
        view: view.name,
      });
    }
  }
  const seen = new Map<string, OutputColumn>();
  for (const column of columns) {
    const earlier = seen.get(column.name);
    if (earlier) throw collision(column, earlier, options);
    seen.set(column.name, column);
  }
  return columns;
}

function collision(
  column: OutputColumn,
  earlier: OutputColumn,
  options: RetrievalOptions,
): InputError {
  const describe = (c: OutputColumn) =>
    c.role === 'entity'
      ? 'an entity column'
      : c.role === 'rowId'
        ? 'the row id column'
        : `view "${c.view}"`;
  const advice =
    !options.fullFeatureNames && column.role === 'feature'
      ? 'use full feature names (fullFeatureNames: true, --full-feature-names) to name them view__feature'
      : 'rename the entity column or choose another name';
  return new InputError(
    `Failed to compile retrieval: output column "${column.name}" would come from both ${describe(earlier)} and ${describe(column)}; ${advice}`,
  );
}

/** The source column holding a feature/key name, through the view's field mapping. */
export function sourceColumnNamer(view: ResolvedFeatureView): (name: string) => string {
  const inverse = new Map<string, string>();
  for (const [from, to] of Object.entries(view.source.fieldMapping ?? {})) inverse.set(to, from);
  return (name) => inverse.get(name) ?? name;
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
