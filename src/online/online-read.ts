import type {
  FeatureDefinition,
  OnDemandFeatureViewDefinition,
  ResolvedFeatureView,
  ValueType,
} from '../definitions/types.js';
import { InputError } from '../errors.js';
import type { CompleteDefinitions } from '../registry/definitions.js';
import { resolveFeatureSelection, splitRefs } from '../retrieval/feature-refs.js';
import { normalizeTimestamp } from '../retrieval/request.js';
import { encodeEntityKey, joinKeyTypes, keyText } from './entity-keys.js';
import { evaluatedValue, requestColumnsOf, requestValue, storedInput } from './on-demand-inputs.js';
import type { OnlineStore, OnlineViewRead } from './online-store.js';
import type {
  EntityKeyValue,
  FeatureStatus,
  OnlineFeatureColumn,
  OnlineFeaturesRequest,
  OnlineFeaturesResponse,
  OnlineValue,
} from './types.js';
import { isoFromMicros, microsFromTimestamp, outputValue } from './value-types.js';

/** The definitions an online read resolves against: every part present. */
export type OnlineDefinitions = CompleteDefinitions;

/**
 * Evaluates `features` of an on-demand view over inputs by bare name, one array per input
 * (as `evaluateOnDemand` does); returns one array per feature.
 */
export type OnDemandEvaluate = (
  view: OnDemandFeatureViewDefinition,
  inputs: Record<string, unknown[]>,
  features: readonly string[],
) => Promise<Record<string, readonly unknown[]>>;

const EPOCH = '1970-01-01T00:00:00Z';

/**
 * Read a request's features from `store` and shape Feast's response (see
 * `OnlineFeatureStore.getOnlineFeatures`).
 */
export async function readOnlineFeatures(
  store: OnlineStore,
  definitions: OnlineDefinitions,
  request: OnlineFeaturesRequest,
  evaluate?: OnDemandEvaluate,
): Promise<OnlineFeaturesResponse> {
  const plan = readPlan(definitions, request);
  const entities = request.entities;
  if (entities === null || typeof entities !== 'object' || Array.isArray(entities)) {
    throw new InputError(
      'Failed to read entities: entities must map each join key to a list of values',
    );
  }
  const given = Object.keys(entities);
  let rows: number | undefined;
  for (const name of given) {
    const values = entities[name];
    if (!Array.isArray(values)) {
      throw new InputError(`Failed to read entities: join key "${name}" must be a list of values`);
    }
    if (rows !== undefined && values.length !== rows) {
      throw new InputError(
        `Failed to read entities: every join key needs the same number of values ("${given[0]}" has ${rows}, "${name}" has ${values.length})`,
      );
    }
    rows = values.length;
  }
  const rowCount = rows ?? 0;
  // Request columns of on-demand views come in `entities` beside the join keys (as Feast
  // takes them) and are not echoed back.
  const missingRequest = [...plan.requestColumns.keys()].filter((c) => !(c in entities));
  if (missingRequest.length > 0) {
    throw new InputError(
      `Failed to read request data: ${missingRequest
        .map(
          (c) =>
            `on-demand view "${plan.requestColumns.get(c)!.views[0]}" needs request column "${c}"`,
        )
        .join(
          ', ',
        )}; give it in entities beside the join keys (given: ${given.length > 0 ? given.join(', ') : 'none'})`,
    );
  }
  const names =
    plan.requestColumns.size === 0
      ? given
      : given.filter((n) => !plan.requestColumns.has(n) || plan.joinKeys.has(n));
  const types = plan.keyTypes;
  const texts = new Map<string, string[]>();
  const textsOf = (key: string): string[] => {
    let list = texts.get(key);
    if (!list) {
      const type: ValueType | undefined = types.get(key);
      list = entities[key]!.map((value, row) => keyText(key, value as EntityKeyValue, type, row));
      texts.set(key, list);
    }
    return list;
  };
  const reads: OnlineViewRead[] = plan.views.map(({ view, names: features }) => {
    const missing = view.joinKeys.filter((k) => !(k in entities));
    if (missing.length > 0) {
      throw new InputError(
        `Failed to read entities: feature view "${view.name}" needs join key ${missing.map((k) => `"${k}"`).join(', ')} (given: ${given.length > 0 ? given.join(', ') : 'none'})`,
      );
    }
    const parts = view.joinKeys.map(textsOf);
    const keys = new Array<string>(rowCount);
    for (let row = 0; row < rowCount; row++) {
      keys[row] = parts.length === 1 ? parts[0]![row]! : encodeEntityKey(parts.map((p) => p[row]!));
    }
    return { view, features, keys };
  });
  checkDuplicates(plan, names);
  const found = rowCount === 0 ? reads.map(() => []) : await store.read(reads);

  const nowUs =
    request.requestTime === undefined
      ? Date.now() * 1000
      : microsFromTimestamp(normalizeTimestamp(request.requestTime, 'requestTime'));
  const results: OnlineFeatureColumn[] = names.map((name) => ({
    values: entities[name]!.map((v) => (typeof v === 'bigint' ? v.toString() : v)) as OnlineValue[],
    statuses: new Array<FeatureStatus>(rowCount).fill('PRESENT'),
    event_timestamps: new Array<string>(rowCount).fill(EPOCH),
  }));
  const state = new Uint8Array(rowCount);
  // The on-demand views' inputs by bare name, filled from each view's rows as it is read.
  const odvInputs = plan.onDemand.map(() => ({}) as Record<string, unknown[]>);
  plan.views.forEach(({ view, features, inputs }, v) => {
    const oldestUs = view.ttlSeconds > 0 ? nowUs - view.ttlSeconds * 1_000_000 : -Infinity;
    const stored = found[v]!;
    // Per row, once for all the view's features: its timestamp text and whether it counts.
    const timestamps = new Array<string>(rowCount);
    for (let row = 0; row < rowCount; row++) {
      const hit = stored[row];
      if (!hit) {
        timestamps[row] = EPOCH;
        state[row] = NOT_FOUND;
      } else {
        timestamps[row] = isoFromMicros(hit.eventTimestampUs);
        state[row] = hit.eventTimestampUs < oldestUs ? TOO_OLD : FOUND;
      }
    }
    // Inputs of on-demand views: NULL where the row is NOT_FOUND or OUTSIDE_MAX_AGE, as the
    // offline join gives them (and as Feast passes a missing feature).
    for (const input of inputs) {
      const values = new Array<unknown>(rowCount);
      for (let row = 0; row < rowCount; row++) {
        values[row] =
          state[row] === FOUND ? storedInput(stored[row]!.values[input.index]!, input.type) : null;
      }
      odvInputs[input.odv]![input.name] = values;
    }
    features.forEach((feature, f) => {
      const values = new Array<OnlineValue>(rowCount);
      const statuses = new Array<FeatureStatus>(rowCount);
      const isTimestamp = feature.type === 'timestamp';
      for (let row = 0; row < rowCount; row++) {
        const rowState = state[row];
        if (rowState === NOT_FOUND) {
          values[row] = null;
          statuses[row] = 'NOT_FOUND';
        } else if (rowState === TOO_OLD) {
          values[row] = null;
          statuses[row] = 'OUTSIDE_MAX_AGE';
        } else {
          const value = stored[row]!.values[f]!;
          if (value === null || (typeof value === 'number' && Number.isNaN(value))) {
            values[row] = null;
            statuses[row] = 'NULL_VALUE';
          } else {
            values[row] = isTimestamp ? outputValue(value, 'timestamp') : value;
            statuses[row] = 'PRESENT';
          }
        }
      }
      results.push({
        values,
        statuses,
        event_timestamps: f === 0 ? timestamps : timestamps.slice(),
      });
    });
  });
  // On-demand features, after the views' (as Feast orders them). A value's status is its
  // own: PRESENT, or NULL_VALUE when the expression gives NULL; the timestamp is the epoch.
  for (const [o, { view: odv, features }] of plan.onDemand.entries()) {
    const inputs = odvInputs[o]!;
    for (const column of odv.requestSchema) {
      inputs[column.name] = entities[column.name]!.map((value, row) =>
        requestValue(column.name, column.type, value, row),
      );
    }
    let computed: Record<string, readonly unknown[]> = {};
    if (rowCount > 0) {
      if (!evaluate) {
        throw new Error(`on-demand view "${odv.name}" was requested, but no evaluator was given`);
      }
      computed = await evaluate(odv, inputs, features);
    }
    for (const name of features) {
      const out = computed[name] ?? [];
      const values = new Array<OnlineValue>(rowCount);
      const statuses = new Array<FeatureStatus>(rowCount);
      for (let row = 0; row < rowCount; row++) {
        const value = evaluatedValue(out[row]);
        values[row] = value;
        statuses[row] = value === null ? 'NULL_VALUE' : 'PRESENT';
      }
      results.push({ values, statuses, event_timestamps: new Array(rowCount).fill(EPOCH) });
    }
  }
  return { metadata: { feature_names: names.concat(plan.featureNames) }, results };
}

const NOT_FOUND = 0;
const TOO_OLD = 1;
const FOUND = 2;

/** What a request's features resolve to, the same for every request naming them. */
interface ReadPlan {
  readonly views: readonly {
    readonly view: ResolvedFeatureView;
    /** The requested features (output columns), first in `names`. */
    readonly features: readonly FeatureDefinition[];
    /** The features read: the requested ones, then those only on-demand views read. */
    readonly names: readonly string[];
    /** Which of them are inputs of on-demand view `odv` (index into `onDemand`). */
    readonly inputs: readonly {
      readonly odv: number;
      readonly name: string;
      readonly type: ValueType;
      readonly index: number;
    }[];
  }[];
  /** Requested on-demand views and their requested features, in output order. */
  readonly onDemand: readonly {
    readonly view: OnDemandFeatureViewDefinition;
    readonly features: readonly string[];
  }[];
  /** The request columns they read, with their types and the views reading each. */
  readonly requestColumns: ReadonlyMap<string, { type: ValueType; views: string[] }>;
  /** The join keys of the views read (a request column of that name is echoed as a key). */
  readonly joinKeys: ReadonlySet<string>;
  /** The feature columns' names, in output order (after the join key columns). */
  readonly featureNames: readonly string[];
  /** Whether two feature columns have the same name (an error, reported per request). */
  readonly duplicate: boolean;
  readonly nameSet: ReadonlySet<string>;
  readonly keyTypes: ReadonlyMap<string, ValueType>;
}

// Plans per definitions object (replaced on refresh, so a reload drops its plans), per
// selection; bounded, as the selections come from requests.
const plans = new WeakMap<OnlineDefinitions, Map<string, ReadPlan>>();
const MAX_PLANS = 256;

function readPlan(definitions: OnlineDefinitions, request: OnlineFeaturesRequest): ReadPlan {
  const refs = featureRefs(request);
  const id = `${request.fullFeatureNames ? 'full' : 'short'}\u0000${
    typeof refs === 'string' ? `service\u0000${refs}` : `refs\u0000${refs.join('\u0000')}`
  }`;
  let cache = plans.get(definitions);
  if (!cache) {
    cache = new Map();
    plans.set(definitions, cache);
  }
  const cached = cache.get(id);
  if (cached) return cached;
  const selection = resolveFeatureSelection(
    refs,
    definitions.views,
    definitions.services,
    definitions.onDemandViews,
  );
  const featureNames: string[] = [];
  const outputName = (view: string, feature: string) =>
    request.fullFeatureNames ? `${view}__${feature}` : feature;
  const views = selection.views.map(({ view, features }) => {
    for (const feature of features) featureNames.push(outputName(view.name, feature.name));
    return {
      view,
      features,
      names: features.map((f) => f.name),
      inputs: [] as ReadPlan['views'][number]['inputs'][number][],
    };
  });
  // On-demand views read every feature of their source views (their expressions name them bare).
  const onDemand = selection.onDemand.map(({ view: odv, features }, o) => {
    for (const name of odv.sources) {
      const view = definitions.views.find((v) => v.name === name);
      if (!view) {
        throw new InputError(
          `Failed to read online features: on-demand view "${odv.name}" reads feature view "${name}", which does not exist`,
        );
      }
      let entry = views.find((v) => v.view.name === name);
      if (!entry) {
        entry = { view, features: [], names: [], inputs: [] };
        views.push(entry);
      }
      for (const feature of view.features) {
        let index = entry.names.indexOf(feature.name);
        if (index < 0) index = entry.names.push(feature.name) - 1;
        entry.inputs.push({ odv: o, name: feature.name, type: feature.type, index });
      }
    }
    for (const f of features) featureNames.push(outputName(odv.name, f.name));
    return { view: odv, features: features.map((f) => f.name) };
  });
  const nameSet = new Set(featureNames);
  const plan: ReadPlan = {
    views,
    onDemand,
    requestColumns: requestColumnsOf(onDemand.map((o) => o.view)),
    joinKeys: new Set(views.flatMap((v) => v.view.joinKeys)),
    featureNames,
    duplicate: nameSet.size !== featureNames.length,
    nameSet,
    keyTypes: joinKeyTypes(definitions.entities),
  };
  if (cache.size >= MAX_PLANS) cache.clear();
  cache.set(id, plan);
  return plan;
}

/** Every output column's name is unique (join key columns, then features). */
function checkDuplicates(plan: ReadPlan, keyNames: readonly string[]): void {
  if (!plan.duplicate && !keyNames.some((name) => plan.nameSet.has(name))) return;
  const seen = new Set<string>();
  for (const name of [...keyNames, ...plan.featureNames]) {
    if (seen.has(name)) {
      throw new InputError(
        `Failed to read online features: column "${name}" would appear twice; use full feature names (fullFeatureNames: true) to name features view__feature`,
      );
    }
    seen.add(name);
  }
}

function featureRefs(request: OnlineFeaturesRequest): string | readonly string[] {
  const hasFeatures = request.features !== undefined;
  const hasService = request.featureService !== undefined;
  if (hasFeatures === hasService) {
    throw new InputError(
      'Failed to read online features: give either features (view:feature references) or featureService, not both or neither',
    );
  }
  if (hasService) {
    if (typeof request.featureService !== 'string' || request.featureService.includes(':')) {
      throw new InputError(
        'Failed to read online features: featureService must be a feature service name',
      );
    }
    return request.featureService;
  }
  const refs = splitRefs(request.features!);
  const plain = refs.find((ref) => !ref.includes(':'));
  if (plain !== undefined) {
    throw new InputError(
      `Failed to read online features: "${plain}" is not a view:feature reference (name a feature service with featureService)`,
    );
  }
  return refs;
}
