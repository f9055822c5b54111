/**
 * Point-in-time retrieval by brute force: plain loops over rows, no SQL. The reference the
 * property test holds the compiled query to. It follows DESIGN.md's contract literally:
 * same keys (NULL never equal), greatest feature timestamp <= the entity timestamp, rows
 * with created > asOf (or NULL created when asOf is set) ignored, ties on the feature
 * timestamp to the greatest created (NULL lowest), then to the smallest feature values in
 * declaration order (NULL last); with TTL > 0 a match older than entity ts − ttl is none.
 */
export type Value = number | null;

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

export function bruteForce(
  entities: readonly Readonly<Record<string, Value>>[],
  views: readonly BruteView[],
  asOf: number | undefined,
): Record<string, Value>[] {
  return entities.map((entity) => {
    const out: Record<string, Value> = {};
    for (const view of views) {
      const match = bestRow(entity, view, asOf);
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
    if (ts === null || ts === undefined || ts > at) continue;
    if (asOf !== undefined && view.hasCreated) {
      const created = row['created'];
      if (created === null || created === undefined || created > asOf) continue;
    }
    if (!best || better(row, best, view)) best = row;
  }
  if (!best) return undefined;
  if (view.ttlSeconds > 0 && best['ts']! < at - view.ttlSeconds) return undefined;
  return best;
}

/** Whether `a` beats `b`: later ts, then later created (NULL lowest), then smaller features. */
function better(
  a: Readonly<Record<string, Value>>,
  b: Readonly<Record<string, Value>>,
  view: BruteView,
): boolean {
  if (a['ts']! !== b['ts']!) return a['ts']! > b['ts']!;
  if (view.hasCreated) {
    const ca = a['created'] ?? null;
    const cb = b['created'] ?? null;
    if (ca !== cb) {
      if (ca === null) return false;
      if (cb === null) return true;
      return ca > cb;
    }
  }
  for (const f of view.features) {
    const fa = a[f] ?? null;
    const fb = b[f] ?? null;
    if (fa === fb) continue;
    if (fa === null) return false;
    if (fb === null) return true;
    return fa < fb;
  }
  return false;
}
