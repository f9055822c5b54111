import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProjectPaths } from '../config/paths.js';
import type {
  Definition,
  EntityDefinition,
  FeatureServiceDefinition,
  FeatureViewDefinition,
  FileSourceDefinition,
  LabelViewDefinition,
  OnDemandFeatureViewDefinition,
  RepoConfig,
} from '../definitions/types.js';
import { DefinitionError, errorMessage } from '../errors.js';
import { compiledRepositoryFile } from './compiled-repository.js';
import type { Repository } from './repository.js';
import { displayPath, validateRepository } from './validate-repository.js';

/** The file of a repository folder that declares its objects. */
export const REPOSITORY_FILE = 'feature_store.ts';

const KINDS = new Set([
  'entity',
  'fileSource',
  'featureView',
  'featureService',
  'labelView',
  'onDemandFeatureView',
]);

/**
 * Load `<repo>/feature_store.ts` (TypeScript, compiled once per content, or by tsx), collect the
 * objects it exports (directly or in arrays) and its config (`export const config` or the
 * default export), and validate them. Source schemas are checked separately by
 * `validateSources`, which needs DuckDB.
 *
 * @example const repo = await loadRepository(projectPaths({ repo: 'feature_store' }))
 */
export async function loadRepository(
  paths: Pick<ProjectPaths, 'repo' | 'root'>,
): Promise<Repository> {
  const file = join(paths.repo, REPOSITORY_FILE);
  if (!existsSync(file)) {
    throw new DefinitionError(
      `Failed to load repository: ${displayPath(file)} does not exist (pass --repo DIR to use another folder)`,
    );
  }
  checkLoadsAsModule(file);
  let module: Record<string, unknown>;
  try {
    module = await importFresh(file);
  } catch (error) {
    // Errors of the factories come from the package's own copy (dist), so match by name.
    let message = errorMessage(error).split('\n')[0]!;
    if (/require\(\)|ERR_REQUIRE_ESM|Cannot use import statement/.test(message)) {
      message +=
        ' (feature_store.ts must load as an ES module: add "type": "module" to the package.json above it)';
    }
    throw new DefinitionError(
      message.startsWith('Failed to') ? message : `Failed to load repository: ${message}`,
      displayPath(file),
      { cause: error },
    );
  }
  const objects = collect(module);
  if (Object.values(objects).every((list) => list.length === 0)) {
    // Refuse rather than read it as an empty repository: `apply` would delete everything.
    throw new DefinitionError(
      'Failed to load repository: it exports no entities, sources, feature views or feature services',
      displayPath(file),
    );
  }
  const configExport = (module['config'] ?? module['default']) as RepoConfig | undefined;
  const config: RepoConfig =
    configExport && typeof configExport === 'object' && 'project' in configExport
      ? configExport
      : { project: basename(paths.repo).replace(/[^A-Za-z0-9_]/g, '_') };

  const sources = [...objects.sources];
  for (const view of objects.featureViews) {
    if (view.source && typeof view.source === 'object') sources.push(view.source);
  }
  // By name: an ES module namespace lists its exports alphabetically by export name, so
  // declaration order is lost anyway; name order is the same wherever the file is loaded.
  const repo: Repository = {
    config,
    entities: byName(dedupe(objects.entities)),
    sources: byName(dedupe(sources)),
    featureViews: byName(dedupe(objects.featureViews)),
    featureServices: byName(dedupe(objects.featureServices)),
    labelViews: byName(dedupe(objects.labelViews)),
    onDemandFeatureViews: byName(dedupe(objects.onDemandFeatureViews)),
    file,
    dir: paths.repo,
    root: paths.root,
  };
  validateRepository(repo);
  return repo;
}

/**
 * A `.ts` file is an ES module only under a `package.json` with `"type": "module"`; under
 * CommonJS rules Node and tsx load it in ways that differ by version (an error, or a module
 * whose exports sit under `default`), so say what to fix before importing it.
 */
function checkLoadsAsModule(file: string): void {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      let type: unknown;
      try {
        type = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
      } catch (error) {
        throw new DefinitionError(
          `Failed to load repository: ${displayPath(manifest)} is not valid JSON`,
          displayPath(file),
          { cause: error },
        );
      }
      if (type === 'module') return;
      throw new DefinitionError(
        `Failed to load repository: feature_store.ts must load as an ES module: add "type": "module" to the package.json above it (${displayPath(manifest)})`,
        displayPath(file),
      );
    }
    if (dirname(dir) === dir) break;
  }
  throw new DefinitionError(
    'Failed to load repository: feature_store.ts must load as an ES module: add "type": "module" to the package.json above it (there is none)',
    displayPath(file),
  );
}

let registered = false;
let loads = 0;
/**
 * Import a TypeScript file afresh (a repository may change between loads in one process).
 * A file that imports only packages is imported as its compiled copy (see
 * `compiledRepositoryFile`): no TypeScript hooks in the process. Any other file goes
 * through tsx, whose global hooks are registered once; unlike `tsImport`, which loads the
 * file's whole dependency graph again in its own namespace (~1 s for `duckfeat` itself),
 * only the file is re-evaluated, and `duckfeat` resolves to the copy already loaded. If the
 * compiled copy fails to load, tsx loads the file itself, and reports what is wrong.
 */
async function importFresh(file: string): Promise<Record<string, unknown>> {
  const compiled = await compiledRepositoryFile(file);
  if (compiled) {
    try {
      return await import(/* @vite-ignore */ `${pathToFileURL(compiled).href}?load=${++loads}`);
    } catch {
      // Load it through tsx below: its error names the file, not the compiled copy.
    }
  }
  if (!registered) {
    const { register } = await import('tsx/esm/api');
    register();
    registered = true;
  }
  return import(/* @vite-ignore */ `${pathToFileURL(file).href}?load=${++loads}`);
}

function collect(module: Record<string, unknown>) {
  const found = {
    entities: [] as EntityDefinition[],
    sources: [] as FileSourceDefinition[],
    featureViews: [] as FeatureViewDefinition[],
    featureServices: [] as FeatureServiceDefinition[],
    labelViews: [] as LabelViewDefinition[],
    onDemandFeatureViews: [] as OnDemandFeatureViewDefinition[],
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const kind = (value as { kind?: unknown }).kind;
    if (typeof kind !== 'string' || !KINDS.has(kind)) return;
    const definition = value as Definition;
    if (definition.kind === 'entity') found.entities.push(definition);
    else if (definition.kind === 'fileSource') found.sources.push(definition);
    else if (definition.kind === 'featureView') found.featureViews.push(definition);
    else if (definition.kind === 'labelView') found.labelViews.push(definition);
    else if (definition.kind === 'onDemandFeatureView') found.onDemandFeatureViews.push(definition);
    else found.featureServices.push(definition);
  };
  for (const [name, value] of Object.entries(module)) {
    if (name !== 'config') visit(value);
  }
  return found;
}

function byName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Drop repeats of the same definition (one object exported twice); keep same-name conflicts. */
function dedupe<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const key = JSON.stringify(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}
