import type { FeatureDefinition } from '../definitions/types.js';
import type { ProjectState } from './state.js';

export type ObjectKind =
  | 'entity'
  | 'dataSource'
  | 'featureView'
  | 'onDemandFeatureView'
  | 'featureService';

/** One field that differs: `features.monetary.type`, `ttlSeconds`, … */
export interface FieldChange {
  readonly field: string;
  /** Absent when the field is new. */
  readonly before?: unknown;
  /** Absent when the field is removed. */
  readonly after?: unknown;
}

export interface ObjectChange {
  readonly action: 'add' | 'change' | 'delete';
  readonly kind: ObjectKind;
  readonly name: string;
  /** For `change`: what differs, field by field. */
  readonly fields: readonly FieldChange[];
}

/** The difference between a repository and the registry, in the order it is applied. */
export interface Plan {
  readonly project: string;
  /** Where the registry is (password masked). */
  readonly registry: string;
  readonly changes: readonly ObjectChange[];
}

const KIND_ORDER: readonly [ObjectKind, keyof ProjectState][] = [
  ['entity', 'entities'],
  ['dataSource', 'dataSources'],
  ['featureView', 'featureViews'],
  ['onDemandFeatureView', 'onDemandFeatureViews'],
  ['featureService', 'featureServices'],
];

const LABEL: Record<ObjectKind, string> = {
  entity: 'entity',
  dataSource: 'data source',
  featureView: 'feature view',
  onDemandFeatureView: 'on-demand feature view',
  featureService: 'feature service',
};

/**
 * The changes that turn `current` into `desired`: adds and changes in dependency order
 * (entities, sources, views, services), then deletes in reverse order.
 */
export function diffStates(current: ProjectState, desired: ProjectState): ObjectChange[] {
  const upserts: ObjectChange[] = [];
  const deletes: ObjectChange[] = [];
  for (const [kind, key] of KIND_ORDER) {
    const have = current[key] as Map<string, object>;
    const want = desired[key] as Map<string, object>;
    for (const [name, record] of want) {
      const existing = have.get(name);
      if (!existing) {
        upserts.push({ action: 'add', kind, name, fields: [] });
        continue;
      }
      const fields = diffRecords(existing, record);
      if (fields.length > 0) upserts.push({ action: 'change', kind, name, fields });
    }
    for (const name of have.keys()) {
      if (!want.has(name)) deletes.unshift({ action: 'delete', kind, name, fields: [] });
    }
  }
  return [...upserts, ...deletes];
}

function diffRecords(before: object, after: object): FieldChange[] {
  const changes: FieldChange[] = [];
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  for (const field of Object.keys(b)) {
    if (field === 'features' && isFeatureList(a[field]) && isFeatureList(b[field])) {
      changes.push(...diffFeatures(a[field], b[field]));
    } else if (!same(a[field], b[field])) {
      changes.push({ field, before: a[field], after: b[field] });
    }
  }
  return changes;
}

function diffFeatures(before: FeatureDefinition[], after: FeatureDefinition[]): FieldChange[] {
  const changes: FieldChange[] = [];
  const old = new Map(before.map((f) => [f.name, f.type]));
  const now = new Map(after.map((f) => [f.name, f.type]));
  const expressions = new Map(before.map((f) => [f.name, expressionOf(f)]));
  for (const f of after) {
    const was = old.get(f.name);
    if (was === undefined) changes.push({ field: `features.${f.name}`, after: f.type });
    else if (was !== f.type)
      changes.push({ field: `features.${f.name}.type`, before: was, after: f.type });
    const expression = expressionOf(f);
    if (was !== undefined && expressions.get(f.name) !== expression) {
      changes.push({
        field: `features.${f.name}.expression`,
        before: expressions.get(f.name),
        after: expression,
      });
    }
  }
  for (const [name, type] of old) {
    if (!now.has(name)) changes.push({ field: `features.${name}`, before: type });
  }
  const oldOrder = before.map((f) => f.name).filter((n) => now.has(n));
  const newOrder = after.map((f) => f.name).filter((n) => old.has(n));
  if (!same(oldOrder, newOrder)) {
    changes.push({ field: 'features.order', before: oldOrder, after: newOrder });
  }
  return changes;
}

/** An on-demand feature's expression (undefined for a stored feature). */
function expressionOf(feature: FeatureDefinition): string | undefined {
  return (feature as { expression?: string }).expression;
}

function isFeatureList(value: unknown): value is FeatureDefinition[] {
  return Array.isArray(value) && value.every((f) => f && typeof f === 'object' && 'type' in f);
}

/** Deep equality on JSON-like values, ignoring object key order. */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  );
}

/** Counts per action, e.g. for a summary line. */
export function summarize(plan: Plan): { add: number; change: number; delete: number } {
  const count = { add: 0, change: 0, delete: 0 };
  for (const change of plan.changes) count[change.action]++;
  return count;
}

/**
 * The plan as the CLI prints it:
 * ```
 * + feature view customer_rfm_features
 * ~ feature view customer_behavior_features
 *     features.return_rate.type: float64 → int64
 * ```
 */
export function formatPlan(plan: Plan): string[] {
  const lines = [`Project "${plan.project}" in ${plan.registry}`];
  if (plan.changes.length === 0) {
    lines.push('No changes.');
    return lines;
  }
  const sign = { add: '+', change: '~', delete: '-' } as const;
  for (const change of plan.changes) {
    lines.push(`  ${sign[change.action]} ${LABEL[change.kind]} ${change.name}`);
    for (const field of change.fields) {
      const before = 'before' in field ? show(field.before) : '(none)';
      const after = 'after' in field ? show(field.after) : '(removed)';
      lines.push(`      ${field.field}: ${before} → ${after}`);
    }
  }
  const n = summarize(plan);
  lines.push(`${n.add} to add, ${n.change} to change, ${n.delete} to delete.`);
  return lines;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
