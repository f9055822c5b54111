import type {
  EntityDefinition,
  FeatureServiceDefinition,
  ResolvedFeatureView,
  ValueType,
} from '../definitions/types.js';
import { InputError } from '../errors.js';
import { resolveFeatureSelection, splitRefs } from '../retrieval/feature-refs.js';
import { normalizeTimestamp } from '../retrieval/request.js';
import { encodeEntityKey, joinKeyTypes, keyText } from './entity-keys.js';
import type { OnlineStore, OnlineViewRead } from './online-store.js';
import type {
  FeatureStatus,
  OnlineFeatureColumn,
  OnlineFeaturesRequest,
  OnlineFeaturesResponse,
} from './types.js';
import { isoFromMicros, microsFromTimestamp, outputValue } from './value-types.js';

/** The definitions an online read resolves against. */
export interface OnlineDefinitions {
  readonly views: readonly ResolvedFeatureView[];
  readonly services: readonly FeatureServiceDefinition[];
  readonly entities: readonly EntityDefinition[];
}

const EPOCH = '1970-01-01T00:00:00Z';

/**
 * Read a request's features from `store` and shape Feast's response (see
 * `OnlineFeatureStore.getOnlineFeatures`).
 */
export async function readOnlineFeatures(
  store: OnlineStore,
  definitions: OnlineDefinitions,
  request: OnlineFeaturesRequest,
): Promise<OnlineFeaturesResponse> {
  const refs = featureRefs(request);
  const selection = resolveFeatureSelection(refs, definitions.views, definitions.services);
  const entities = request.entities;
  if (entities === null || typeof entities !== 'object' || Array.isArray(entities)) {
    throw new InputError(
      'Failed to read entities: entities must map each join key to a list of values',
    );
  }
  const names = Object.keys(entities);
  let rows: number | undefined;
  for (const name of names) {
    const values = entities[name];
    if (!Array.isArray(values)) {
      throw new InputError(`Failed to read entities: join key "${name}" must be a list of values`);
    }
    if (rows !== undefined && values.length !== rows) {
      throw new InputError(
        `Failed to read entities: every join key needs the same number of values ("${names[0]}" has ${rows}, "${name}" has ${values.length})`,
      );
    }
    rows = values.length;
  }
  const rowCount = rows ?? 0;
  const types = joinKeyTypes(definitions.entities);
  const texts = new Map<string, string[]>();
  const textsOf = (key: string): string[] => {
    let list = texts.get(key);
    if (!list) {
      const type: ValueType | undefined = types.get(key);
      list = entities[key]!.map((value, row) => keyText(key, value, type, row));
      texts.set(key, list);
    }
    return list;
  };
  const reads: OnlineViewRead[] = selection.views.map(({ view, features }) => {
    const missing = view.joinKeys.filter((k) => !(k in entities));
    if (missing.length > 0) {
      throw new InputError(
        `Failed to read entities: feature view "${view.name}" needs join key ${missing.map((k) => `"${k}"`).join(', ')} (given: ${names.length > 0 ? names.join(', ') : 'none'})`,
      );
    }
    const parts = view.joinKeys.map(textsOf);
    const keys = new Array<string>(rowCount);
    for (let row = 0; row < rowCount; row++) {
      keys[row] = parts.length === 1 ? parts[0]![row]! : encodeEntityKey(parts.map((p) => p[row]!));
    }
    return { view, features: features.map((f) => f.name), keys };
  });
  const found = rowCount === 0 ? reads.map(() => []) : await store.read(reads);

  const nowUs = microsFromTimestamp(
    request.requestTime === undefined
      ? new Date()
      : normalizeTimestamp(request.requestTime, 'requestTime'),
  );
  const featureNames: string[] = [...names];
  const results: OnlineFeatureColumn[] = names.map((name) => ({
    values: entities[name]!.map((v) => (typeof v === 'bigint' ? v.toString() : v)),
    statuses: new Array<FeatureStatus>(rowCount).fill('PRESENT'),
    event_timestamps: new Array<string>(rowCount).fill(EPOCH),
  }));
  selection.views.forEach(({ view, features }, v) => {
    const oldestUs = view.ttlSeconds > 0 ? nowUs - view.ttlSeconds * 1_000_000 : -Infinity;
    const stored = found[v]!;
    features.forEach((feature, f) => {
      const column: OnlineFeatureColumn = {
        values: new Array(rowCount),
        statuses: new Array(rowCount),
        event_timestamps: new Array(rowCount),
      };
      for (let row = 0; row < rowCount; row++) {
        const hit = stored[row];
        if (!hit) {
          column.values[row] = null;
          column.statuses[row] = 'NOT_FOUND';
          column.event_timestamps[row] = EPOCH;
          continue;
        }
        column.event_timestamps[row] = isoFromMicros(hit.eventTimestampUs);
        const value = hit.values[f]!;
        if (hit.eventTimestampUs < oldestUs) {
          column.values[row] = null;
          column.statuses[row] = 'OUTSIDE_MAX_AGE';
        } else if (value === null || (typeof value === 'number' && Number.isNaN(value))) {
          column.values[row] = null;
          column.statuses[row] = 'NULL_VALUE';
        } else {
          column.values[row] = outputValue(value, feature.type);
          column.statuses[row] = 'PRESENT';
        }
      }
      featureNames.push(request.fullFeatureNames ? `${view.name}__${feature.name}` : feature.name);
      results.push(column);
    });
  });
  const seen = new Set<string>();
  for (const name of featureNames) {
    if (seen.has(name)) {
      throw new InputError(
        `Failed to read online features: column "${name}" would appear twice; use full feature names (fullFeatureNames: true) to name features view__feature`,
      );
    }
    seen.add(name);
  }
  return { metadata: { feature_names: featureNames }, results };
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
