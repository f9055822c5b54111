import { quoteIdentifier as q } from '../sql/identifiers.js';
import { ROW_COLUMN } from './entity-input.js';
import type { RetrievalPlan, ViewPlan } from './plan.js';
import { relationSql, tieText } from './source-relation.js';

/**
 * A view's CTEs: `fv_<view>`, its rows known by `asOf` (one per keys and feature timestamp
 * for an ASOF join); for a `knownByRow` view also `pit_<view>`, the newest row per entity
 * row among those created by that row's knowledge time.
 */
export function viewCtes(
  view: ViewPlan,
  entities: RetrievalPlan['entities'],
  pathParameter: string,
  asOfFilter: string[],
  knownBy: string,
): string[] {
  const { relation } = view;
  const keysText = [...view.joinKeys.map((k) => q(k)), 'feature timestamp'].join(', ');
  const head = `${q(`fv_${view.name}`)} AS (`;
  if (view.join === 'knownByRow') {
    const rows = relationSql(relation, { pathParameter, keep: 'none', withCreated: true });
    const ts = q(entities.timestamp.name);
    const known = q(entities.asOf!.name);
    const on = [
      ...view.joinKeys.map((k) => `e.${q(k)} = f.${q(k)}`),
      `f."__feature_ts" <= e.${ts}`,
      `(e.${known} IS NULL OR f."__created_ts" <= e.${known})`,
    ];
    const order = [
      'f."__feature_ts" DESC',
      'f."__created_ts" DESC NULLS LAST',
      ...relation.tieBreak.map((c) => `f.${q(c.name)} ASC NULLS LAST`),
    ];
    return [
      [
        `-- ${view.name}: its rows with the created timestamp, for each entity row's knowledge time.`,
        head,
        ...rows,
        ')',
      ].join('\n'),
      [
        `-- ${view.name}: per entity row, the newest row at or before its timestamp (same keys) among`,
        `-- those created by its ${known} (NULL: any); ties go to ${tieText(relation)}.`,
        `${q(`pit_${view.name}`)} AS (`,
        `  SELECT e.${q(ROW_COLUMN)}, f."__feature_ts", ${relation.features.map((f) => `f.${q(f.name)}`).join(', ')}`,
        `  FROM entities AS e`,
        `  JOIN ${q(`fv_${view.name}`)} AS f`,
        `    ON ${on.join('\n    AND ')}`,
        `  QUALIFY row_number() OVER (`,
        `    PARTITION BY e.${q(ROW_COLUMN)}`,
        `    ORDER BY ${order.join(', ')}`,
        '  ) = 1',
        ')',
      ].join('\n'),
    ];
  }
  const body = relationSql(relation, {
    pathParameter,
    keep: view.deduplicate ? 'keysAndTimestamp' : 'none',
    filters: asOfFilter,
  });
  if (!view.deduplicate) {
    return [
      [
        `-- ${view.name}: one row per (${keysText})${knownBy}; the source was`,
        '-- checked to hold no two rows with the same keys and feature timestamp: nothing to deduplicate.',
        head,
        ...body,
        ')',
      ].join('\n'),
    ];
  }
  return [
    [
      `-- ${view.name}: one row per (${keysText})${knownBy};`,
      `-- rows tied on the feature timestamp go to ${tieText(relation)}.`,
      head,
      ...body,
      ')',
    ].join('\n'),
  ];
}
