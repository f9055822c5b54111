import { relative } from 'node:path';
import { parseDuration } from '../definitions/duration.js';
import { checkName, checkValueType } from '../definitions/names.js';
import type { FeatureViewDefinition } from '../definitions/types.js';
import { DefinitionError } from '../errors.js';
import type { Repository } from './repository.js';

/** How a file is named in messages: relative to the working directory when below it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/**
 * Check a repository's objects against each other (no files read): valid names and types,
 * no duplicates, every entity, view and feature that is referenced is declared. Throws a
 * {@link DefinitionError} naming the object and the file.
 */
export function validateRepository(repo: Repository): void {
  const at = displayPath(repo.file);
  const fail = (message: string): never => {
    throw new DefinitionError(message, at);
  };
  checkName(repo.config.project, 'project', at);

  const entityNames = unique(
    repo.entities.map((e) => e.name),
    'entity',
    at,
  );
  for (const entity of repo.entities) {
    checkName(entity.name, 'entity', at);
    checkValueType(entity.valueType, `entity "${entity.name}"`, at);
    if (!Array.isArray(entity.joinKeys) || entity.joinKeys.length === 0) {
      fail(`Failed to define entity "${entity.name}": it needs at least one join key`);
    }
    for (const key of entity.joinKeys) checkName(key, `join key of entity "${entity.name}"`, at);
  }

  unique(
    repo.sources.map((s) => s.name),
    'file source',
    at,
  );
  for (const source of repo.sources) {
    checkName(source.name, 'file source', at);
    checkName(source.timestampField, `timestamp field of source "${source.name}"`, at);
    if (source.createdTimestampColumn !== undefined) {
      checkName(source.createdTimestampColumn, `created column of source "${source.name}"`, at);
    }
    for (const target of Object.values(source.fieldMapping ?? {})) {
      checkName(target, `field mapping of source "${source.name}"`, at);
    }
  }

  const views = new Map<string, FeatureViewDefinition>();
  unique(
    repo.featureViews.map((v) => v.name),
    'feature view',
    at,
  );
  for (const view of repo.featureViews) {
    const what = `feature view "${view.name}"`;
    checkName(view.name, 'feature view', at);
    views.set(view.name, view);
    for (const name of view.entities) {
      if (!entityNames.has(name)) {
        fail(
          `Failed to define ${what}: entity "${name}" is not declared ` +
            `(declared: ${[...entityNames].join(', ') || 'none'})`,
        );
      }
    }
    if (view.source?.kind !== 'fileSource') {
      fail(`Failed to define ${what}: its source must be a fileSource(...)`);
    }
    if (view.features.length === 0) fail(`Failed to define ${what}: its schema has no feature`);
    unique(
      view.features.map((f) => f.name),
      `feature of ${what}`,
      at,
    );
    const keys = joinKeysOf(repo, view.entities);
    const reserved = new Set([
      ...keys,
      view.source.timestampField,
      view.source.createdTimestampColumn,
    ]);
    for (const feature of view.features) {
      checkName(feature.name, `feature of ${what}`, at);
      checkValueType(feature.type, `feature "${feature.name}" of ${what}`, at);
      if (reserved.has(feature.name)) {
        fail(
          `Failed to define ${what}: feature "${feature.name}" has the name of a join key or timestamp column`,
        );
      }
    }
    try {
      parseDuration(view.ttlSeconds, `ttl of ${what}`);
    } catch (error) {
      fail((error as Error).message);
    }
  }

  validateOnDemandViews(repo, views, at);
  unique(
    repo.featureServices.map((s) => s.name),
    'feature service',
    at,
  );
  // A service may list features of feature views and of on-demand views.
  const selectable = new Map<string, { readonly features: readonly { name: string }[] }>(views);
  for (const odv of repo.onDemandFeatureViews ?? []) selectable.set(odv.name, odv);
  for (const service of repo.featureServices) {
    const what = `feature service "${service.name}"`;
    checkName(service.name, 'feature service', at);
    if (service.features.length === 0) fail(`Failed to define ${what}: it lists no feature`);
    for (const ref of service.features) {
      const [viewName, featureName, extra] = String(ref).split(':');
      const view = selectable.get(viewName ?? '');
      if (!viewName || !featureName || extra !== undefined) {
        fail(`Failed to define ${what}: reference "${ref}" is not "view:feature" or "view:*"`);
      }
      if (!view) {
        fail(
          `Failed to define ${what}: feature view "${viewName}" is not declared ` +
            `(declared: ${[...selectable.keys()].join(', ') || 'none'})`,
        );
      }
      if (featureName !== '*' && !view!.features.some((f) => f.name === featureName)) {
        fail(
          `Failed to define ${what}: feature view "${viewName}" has no feature "${featureName}" ` +
            `(it has: ${view!.features.map((f) => f.name).join(', ')})`,
        );
      }
    }
  }

  for (const name of Object.keys(repo.config.inputs ?? {})) checkName(name, 'input', at);
  unique(
    [...repo.featureViews, ...repo.labelViews].map((v) => v.name),
    'feature or label view',
    at,
  );
  const serviceNames = new Set(repo.featureServices.map((s) => s.name));
  for (const labels of repo.labelViews) {
    const what = `label view "${labels.name}"`;
    checkName(labels.name, 'label view', at);
    checkName(labels.label, `label column of ${what}`, at);
    checkName(labels.prediction, `prediction of ${what}`, at);
    if (labels.entities.length === 0) fail(`Failed to define ${what}: it names no entity`);
    for (const name of labels.entities) {
      if (!entityNames.has(name)) {
        fail(
          `Failed to define ${what}: entity "${name}" is not declared ` +
            `(declared: ${[...entityNames].join(', ') || 'none'})`,
        );
      }
    }
    if (!serviceNames.has(labels.featureService)) {
      fail(
        `Failed to define ${what}: feature service "${labels.featureService}" is not declared ` +
          `(declared: ${[...serviceNames].join(', ') || 'none'})`,
      );
    }
  }
}

/** The join keys of the named entities, in order (a view's or label view's keys). */
export function joinKeysOf(repo: Repository, entities: readonly string[]): string[] {
  return entities.flatMap((name) => repo.entities.find((e) => e.name === name)?.joinKeys ?? []);
}

function unique(names: readonly string[], what: string, at: string): Set<string> {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new DefinitionError(`Failed to load repository: duplicate ${what} name "${name}"`, at);
    }
    seen.add(name);
  }
  return seen;
}

/**
 * On-demand views: unique names (also against feature views), declared source views, one
 * origin per input name (the expressions name inputs bare), typed request columns, and a
 * non-empty expression per feature.
 */
function validateOnDemandViews(
  repo: Repository,
  views: ReadonlyMap<string, FeatureViewDefinition>,
  at: string,
): void {
  const fail = (message: string): never => {
    throw new DefinitionError(message, at);
  };
  const list = repo.onDemandFeatureViews ?? [];
  unique(
    [...repo.featureViews, ...list].map((v) => v.name),
    'feature view or on-demand view',
    at,
  );
  for (const odv of list) {
    const what = `on-demand view "${odv.name}"`;
    checkName(odv.name, 'on-demand view', at);
    const inputs: string[] = [];
    for (const source of odv.sources) {
      const view = views.get(source);
      if (!view) {
        fail(
          `Failed to define ${what}: feature view "${source}" is not declared ` +
            `(declared: ${[...views.keys()].join(', ') || 'none'})`,
        );
      }
      inputs.push(...view!.features.map((f) => f.name));
    }
    for (const column of odv.requestSchema) {
      checkName(column.name, `request column of ${what}`, at);
      checkValueType(column.type, `request column "${column.name}" of ${what}`, at);
      inputs.push(column.name);
    }
    unique(inputs, `input of ${what} (its expressions name inputs bare)`, at);
    if (odv.features.length === 0) fail(`Failed to define ${what}: its schema has no feature`);
    unique(
      odv.features.map((f) => f.name),
      `feature of ${what}`,
      at,
    );
    for (const feature of odv.features) {
      checkName(feature.name, `feature of ${what}`, at);
      checkValueType(feature.type, `feature "${feature.name}" of ${what}`, at);
      if (typeof feature.expression !== 'string' || feature.expression.trim() === '') {
        fail(`Failed to define ${what}: feature "${feature.name}" has no expression`);
      }
    }
  }
}
