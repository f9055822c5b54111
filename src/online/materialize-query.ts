import type { ResolvedFeatureView, ValueType } from '../definitions/types.js';
import type { ColumnInfo } from '../duckdb/column-types.js';
import type { CompiledQuery } from '../retrieval/compiler.js';
import { latestRowPerKeySql, sourceRelation, tieText } from '../retrieval/source-relation.js';
import { timestampExpression } from '../retrieval/timestamps.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
import { entityKeySql } from './entity-keys.js';

/** The feature timestamps a materialize run takes: `(start, end]`, or `<= end` without a start. */
export interface MaterializeWindow {
  /** Exclusive; `YYYY-MM-DD HH:MM:SS[.ffffff]` UTC. */
  readonly start?: string;
  /** Inclusive; `YYYY-MM-DD HH:MM:SS[.ffffff]` UTC. */
  readonly end: string;
}

/** Names of the columns a materialize query returns before the features. */
export const KEY_COLUMN = '__entity_key';
export const TIMESTAMP_US_COLUMN = '__event_ts_us';

const CAST: Record<ValueType, string> = {
  int64: 'BIGINT',
  float64: 'DOUBLE',
  string: 'VARCHAR',
  bool: 'BOOLEAN',
  timestamp: 'BIGINT',
};

/**
 * The query `materialize` streams into the online store: per entity key, the newest row of
 * the view with feature timestamp in the window, ties decided as retrieval decides them
 * (the same generator, `latestRowPerKeySql`). Columns: the encoded entity key, the feature
 * timestamp in microseconds (UTC), then every feature of the view cast to its declared type
 * (timestamps as microseconds). A pure function, like the retrieval compiler.
 *
 * @example
 * const { sql, parameters } = compileMaterialize(view, { end: '2011-10-27 08:26:00' });
 */
export function compileMaterialize(
  view: ResolvedFeatureView,
  window: MaterializeWindow,
  sourceColumns?: readonly ColumnInfo[],
): CompiledQuery {
  const relation = sourceRelation(view, sourceColumns);
  const parameters: Record<string, string | number> = {
    [`${view.name}_path`]: relation.path,
    window_end: window.end,
  };
  if (window.start !== undefined) parameters['window_start'] = window.start;
  const latest = latestRowPerKeySql(relation, {
    pathParameter: `${view.name}_path`,
    until: 'window_end',
    ...(window.start !== undefined
      ? { filters: [`${relation.timestamp} > $window_start::TIMESTAMP`] }
      : {}),
  });
  const typeOf = (name: string) =>
    sourceColumns?.find((c) => c.name === relation.features.find((f) => f.name === name)?.column)
      ?.type;
  const features = view.features.map((f) => {
    const column = q(f.name);
    if (f.type === 'timestamp') {
      return `epoch_us(${timestampExpression(column, typeOf(f.name))}) AS ${column}`;
    }
    return `CAST(${column} AS ${CAST[f.type]}) AS ${column}`;
  });
  const keys = view.joinKeys.map((k) => q(k));
  const windowText =
    window.start === undefined
      ? 'feature timestamp <= $window_end'
      : 'feature timestamp in ($window_start, $window_end]';
  const sql = [
    `-- duckfeat materialize ${JSON.stringify(view.name)}: per (${keys.join(', ')}), the newest row with`,
    `-- ${windowText}; rows tied on the feature timestamp go to ${tieText(relation)}.`,
    'SELECT',
    `  ${entityKeySql(keys)} AS ${q(KEY_COLUMN)},`,
    `  epoch_us("__feature_ts") AS ${q(TIMESTAMP_US_COLUMN)}${features.length > 0 ? ',' : ''}`,
    ...features.map((f, i) => `  ${f}${i < features.length - 1 ? ',' : ''}`),
    'FROM (',
    ...latest.split('\n').map((line) => `  ${line}`),
    ')',
    '',
  ].join('\n');
  return { sql, parameters };
}
