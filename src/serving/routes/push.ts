import type { FastifyInstance } from 'fastify';
import type { ResolvedFeatureView } from '../../definitions/types.js';
import { InputError, NotFoundError } from '../../errors.js';
import { suggest } from '../../retrieval/feature-refs.js';
import type { AppDependencies } from '../app.js';
import type { DefinitionsSnapshot } from '../registry-definitions.js';
import { type PushBody, pushBody } from '../request-schemas.js';

/**
 * `POST /push` with Feast's body: `push_source_name` names a feature view, or a data source
 * (every view reading it); `df` holds columns of equal length (join keys, the source's
 * timestamp field, any features); `to` is `online` (default), `offline` or
 * `online_and_offline` (online first, so an unreachable store writes nothing offline).
 */
export function registerPushRoute(app: FastifyInstance, deps: AppDependencies): void {
  app.post<{ Body: PushBody }>('/push', { schema: { body: pushBody } }, async (request) => {
    const { push_source_name: name, df, to = 'online' } = request.body;
    const views = pushTargets(deps.definitions.snapshot, name);
    const rowCount = checkColumns(df, views);
    if (to !== 'online' && !deps.offline) {
      throw new InputError('this server does not write offline data');
    }
    if (to !== 'offline') {
      for (const view of views) {
        await deps.online.pushOnline({
          featureView: view.name,
          rows: toRows(df, columnsOf(view), rowCount),
        });
      }
    }
    if (to !== 'online') {
      for (const view of views) {
        const names = columnsOf(view);
        const columns = Object.fromEntries(Object.entries(df).filter(([n]) => names.has(n)));
        await deps.offline!.append(view, columns, rowCount);
      }
    }
    return { push_source_name: name, to, rows: rowCount, feature_views: views.map((v) => v.name) };
  });
}

/** The views a push source name stands for: the view of that name, else the views of that source. */
function pushTargets(definitions: DefinitionsSnapshot, name: string): ResolvedFeatureView[] {
  const byName = definitions.views.find((v) => v.name === name);
  if (byName) return [byName];
  const names = new Set(
    definitions.viewDefinitions.filter((v) => v.source.name === name).map((v) => v.name),
  );
  const views = definitions.views.filter((v) => names.has(v.name));
  if (views.length > 0) return views;
  const known = [
    ...new Set([
      ...definitions.views.map((v) => v.name),
      ...definitions.viewDefinitions.map((v) => v.source.name),
    ]),
  ];
  throw new NotFoundError(
    `no feature view or data source "${name}"${suggest(name, known, 'feature views or data sources')}`,
  );
}

/** The columns a view takes from a push: join keys, timestamp fields, features. */
function columnsOf(view: ResolvedFeatureView): Set<string> {
  const mapped = (n: string) => view.source.fieldMapping?.[n] ?? n;
  return new Set([
    ...view.joinKeys,
    mapped(view.source.timestampField),
    view.source.timestampField,
    ...(view.source.createdTimestampColumn ? [view.source.createdTimestampColumn] : []),
    ...view.features.map((f) => f.name),
  ]);
}

/** Every column belongs to some target view and all have the same, non-zero length. */
function checkColumns(df: Record<string, unknown[]>, views: ResolvedFeatureView[]): number {
  const accepted = new Set(views.flatMap((v) => [...columnsOf(v)]));
  let rowCount: number | undefined;
  for (const [name, values] of Object.entries(df)) {
    if (!accepted.has(name)) {
      throw new InputError(
        `column "${name}" belongs to none of ${views.map((v) => `"${v.name}"`).join(', ')}${suggest(name, [...accepted], 'columns')}`,
      );
    }
    if (rowCount === undefined) rowCount = values.length;
    else if (values.length !== rowCount) {
      throw new InputError(
        `the df columns differ in length ("${name}" has ${values.length} values, others ${rowCount})`,
      );
    }
  }
  if (!rowCount) throw new InputError('the df has no rows');
  return rowCount;
}

function toRows(
  df: Record<string, unknown[]>,
  names: Set<string>,
  rowCount: number,
): Record<string, unknown>[] {
  const columns = Object.entries(df).filter(([n]) => names.has(n));
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < rowCount; r++) {
    const row: Record<string, unknown> = {};
    for (const [name, values] of columns) row[name] = values[r];
    rows.push(row);
  }
  return rows;
}
