/**
 * Point-in-time retrieval by brute force: plain loops over rows, no SQL. The reference the
 * property test holds the compiled query to. It follows DESIGN.md's contract literally:
 * same keys (NULL never equal), greatest feature timestamp <= the entity timestamp, rows
 * with created > asOf (or NULL created when asOf is set) ignored, ties on the feature
 * timestamp to the greatest created (NULL lowest), then to the smallest feature values in
 * declaration order (NULL last); with TTL > 0 a match older than entity ts − ttl is none.
 */
export type Value = number | string | null;

export interface BruteView {
  readonly name: string;
  readonly keys: readonly string[];
  readonly features: readonly string[];
  readonly ttlSeconds: number;
  readonly hasCreated: boolean;
  /** Rows: key columns, `ts`, `created` (seconds), features. */
  readonly rows: readonly Readonly<Record<string, Value>>[];
}

export interface BruteResult {
  /** Per view: feature values and the matched feature timestamp (null when none). */
  readonly values: Record<string, Value>;
}

/**
 * Per entity row, each view's match. `asOf`: one knowledge time for all rows, or the name of
 * the entity column holding each row's (NULL there: unbounded).
 */
export function bruteForce(
  entities: readonly Readonly<Record<string, Value>>[],
  views: readonly BruteView[],
  asOf: number | { column: string } | undefined,
): Record<string, Value>[] {
  return entities.map((entity) => {
    const out: Record<string, Value> = {};
    for (const view of views) {
      const known =
        typeof asOf === 'object' ? ((entity[asOf.column] as number | null) ?? undefined) : asOf;
      const match = bestRow(entity, view, known);
      for (const f of view.features) out[`${view.name}__${f}`] = match ? match[f]! : null;
      out[`${view.name}__event_timestamp`] = match ? match['ts']! : null;
    }
    return out;
  });
}

function bestRow(
  entity: Readonly<Record<string, Value>>,
  view: BruteView,
  asOf: number | undefined,
): Readonly<Record<string, Value>> | undefined {
  const at = entity['event_timestamp'];
  if (at === null || at === undefined) return undefined;
  let best: Readonly<Record<string, Value>> | undefined;
  for (const row of view.rows) {
    let sameKeys = true;
    for (const key of view.keys) {
      if (row[key] === null || entity[key] === null || row[key] !== entity[key]) sameKeys = false;
    }
    if (!sameKeys) continue;
    const ts = row['ts'];
    if (ts === null || ts === undefined || (ts as number) > (at as number)) continue;
    if (asOf !== undefined && view.hasCreated) {
      const created = row['created'];
      if (created === null || created === undefined || (created as number) > asOf) continue;
    }
    if (!best || better(row, best, view)) best = row;
  }
  if (!best) return undefined;
  if (view.ttlSeconds > 0 && (best['ts'] as number) < (at as number) - view.ttlSeconds) {
    return undefined;
  }
  return best;
}

/** Whether `a` beats `b`: later ts, then later created (NULL lowest), then smaller features. */
function better(
  a: Readonly<Record<string, Value>>,
  b: Readonly<Record<string, Value>>,
  view: BruteView,
): boolean {
  if (a['ts'] !== b['ts']) return (a['ts'] as number) > (b['ts'] as number);
  if (view.hasCreated) {
    const ca = a['created'] ?? null;
    const cb = b['created'] ?? null;
    if (ca !== cb) {
      if (ca === null) return false;
      if (cb === null) return true;
      return (ca as number) > (cb as number);
    }
  }
  for (const f of view.features) {
    const fa = a[f] ?? null;
    const fb = b[f] ?? null;
    if (fa === fb) continue;
    if (fa === null) return false;
    if (fb === null) return true;
    return (fa as number) < (fb as number);
  }
  return false;
}

/**
 * The entity rows of a `start`/`end` request: every distinct (keys, ts) of the keyed views'
 * rows (all views when none has keys) with non-NULL keys and ts in [start, end], known by
 * `asOf` when the view has a created column; ordered by keys, then ts.
 */
export function bruteSpine(
  views: readonly BruteView[],
  start: number,
  end: number,
  asOf: number | undefined,
): Record<string, Value>[] {
  const keyed = views.filter((v) => v.keys.length > 0);
  const from = keyed.length > 0 ? keyed : views;
  const keys = from[0]!.keys;
  const seen = new Map<string, Record<string, Value>>();
  for (const view of from) {
    for (const row of view.rows) {
      const ts = row['ts'];
      if (ts === null || ts === undefined || (ts as number) < start || (ts as number) > end)
        continue;
      if (keys.some((k) => row[k] === null || row[k] === undefined)) continue;
      if (asOf !== undefined && view.hasCreated) {
        const created = row['created'];
        if (created === null || created === undefined || (created as number) > asOf) continue;
      }
      const entity: Record<string, Value> = {};
      for (const k of keys) entity[k] = row[k]!;
      entity['event_timestamp'] = ts;
      seen.set(JSON.stringify(entity), entity);
    }
  }
  const order = [...keys, 'event_timestamp'];
  return [...seen.values()].sort((a, b) => {
    for (const k of order) {
      if (a[k] !== b[k]) return (a[k] as number) < (b[k] as number) ? -1 : 1;
    }
    return 0;
  });
}
