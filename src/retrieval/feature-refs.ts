import type {
  FeatureDefinition,
  FeatureServiceDefinition,
  OnDemandFeatureDefinition,
  OnDemandFeatureViewDefinition,
  ResolvedFeatureView,
} from '../definitions/types.js';
import { InputError, NotFoundError } from '../errors.js';

/** The features asked of one view, in the order they were asked for. */
export interface ViewSelection {
  readonly view: ResolvedFeatureView;
  readonly features: readonly FeatureDefinition[];
}

/** What a `features` argument resolved to. */
export interface FeatureSelection {
  /** The feature service, when one was named. */
  readonly service?: string;
  /** Views in order of first reference. */
  readonly views: readonly ViewSelection[];
  /** On-demand views in order of first reference. */
  readonly onDemand: readonly OnDemandSelection[];
}

/** The features asked of one on-demand view. */
export interface OnDemandSelection {
  readonly view: OnDemandFeatureViewDefinition;
  readonly features: readonly OnDemandFeatureDefinition[];
}

/**
 * Resolve `view:feature`, `view:*` references or one feature service name against the
 * definitions. A single string may hold comma-separated references (as the CLI passes
 * them). Repeated references count once. Unknown names throw a {@link NotFoundError}
 * listing the close names that exist.
 *
 * @example
 * resolveFeatureSelection('customer_rfm:*,customer_behavior:return_rate', views, services);
 * resolveFeatureSelection('purchase_model_features', views, services);
 */
export function resolveFeatureSelection(
  features: string | readonly string[],
  views: readonly ResolvedFeatureView[],
  services: readonly FeatureServiceDefinition[] = [],
  onDemandViews: readonly OnDemandFeatureViewDefinition[] = [],
): FeatureSelection {
  const refs = splitRefs(features);
  if (refs.length === 0) {
    throw new InputError('Failed to resolve features: no feature references were given');
  }
  let service: string | undefined;
  let expanded = refs;
  if (refs.length === 1 && !refs[0]!.includes(':')) {
    const name = refs[0]!;
    const found = services.find((s) => s.name === name);
    if (!found) {
      throw new NotFoundError(
        `Failed to resolve features: "${name}" is not a feature service nor a view:feature reference${suggest(
          name,
          services.map((s) => s.name),
          'feature services',
        )}`,
      );
    }
    service = found.name;
    expanded = splitRefs(found.features);
  }

  const byName = new Map<string, ResolvedFeatureView | OnDemandFeatureViewDefinition>(
    views.map((v) => [v.name, v]),
  );
  for (const v of onDemandViews) byName.set(v.name, v);
  const picked = new Map<string, FeatureDefinition[]>();
  for (const ref of expanded) {
    const colon = ref.indexOf(':');
    if (colon <= 0 || colon === ref.length - 1) {
      throw new InputError(
        `Failed to resolve features: "${ref}" is not a reference of the form view:feature or view:*`,
      );
    }
    const viewName = ref.slice(0, colon);
    const featureName = ref.slice(colon + 1);
    const view = byName.get(viewName);
    if (!view) {
      throw new NotFoundError(
        `Failed to resolve features: no feature view "${viewName}"${suggest(
          viewName,
          [...byName.keys()],
          'feature views',
        )}`,
      );
    }
    const list = picked.get(viewName) ?? [];
    picked.set(viewName, list);
    const wanted =
      featureName === '*' ? view.features : view.features.filter((f) => f.name === featureName);
    if (wanted.length === 0) {
      throw new NotFoundError(
        `Failed to resolve features: feature view "${viewName}" has no feature "${featureName}"${suggest(
          featureName,
          view.features.map((f) => f.name),
          `features of ${viewName}`,
        )}`,
      );
    }
    for (const feature of wanted) {
      if (!list.some((f) => f.name === feature.name)) list.push(feature);
    }
  }
  const selected: ViewSelection[] = [];
  const onDemand: OnDemandSelection[] = [];
  for (const [name, list] of picked) {
    const view = byName.get(name)!;
    if ('kind' in view && view.kind === 'onDemandFeatureView') {
      onDemand.push({ view, features: list as OnDemandFeatureDefinition[] });
    } else selected.push({ view: view as ResolvedFeatureView, features: list });
  }
  return service === undefined
    ? { views: selected, onDemand }
    : { service, views: selected, onDemand };
}

/** Split comma-separated references, trimming blanks. */
export function splitRefs(features: string | readonly string[]): string[] {
  const list = typeof features === 'string' ? [features] : features;
  return list
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * `; did you mean: a, b` with the names close to `name` (edit distance or containment),
 * or `; existing <what>: …` when none is close, or `; there are no <what>`.
 */
export function suggest(name: string, existing: readonly string[], what: string): string {
  if (existing.length === 0) return `; there are no ${what}`;
  const lower = name.toLowerCase();
  const close = existing
    .map((candidate) => ({
      candidate,
      distance: editDistance(lower, candidate.toLowerCase()),
      contains: candidate.toLowerCase().includes(lower) || lower.includes(candidate.toLowerCase()),
    }))
    .filter((c) => c.contains || c.distance <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 5)
    .map((c) => c.candidate);
  if (close.length > 0) return `; did you mean: ${close.join(', ')}`;
  const shown = existing.slice(0, 10).join(', ');
  return `; existing ${what}: ${shown}${existing.length > 10 ? ', …' : ''}`;
}

/** Levenshtein distance (small strings: names). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
