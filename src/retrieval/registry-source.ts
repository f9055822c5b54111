import type { ProjectPaths } from '../config/paths.js';
import { summarize } from '../registry/plan.js';
import { openRegistry, type Registry } from '../registry/registry.js';
import { loadRepository } from '../repo/load-repository.js';
import type { Repository } from '../repo/repository.js';
import type { DefinitionSource } from './feature-store.js';

/** The registry of a project as a definition source (see {@link registryDefinitionSource}). */
export async function openRegistrySource(
  paths: ProjectPaths,
  warn: (message: string) => void,
): Promise<DefinitionSource> {
  const registry = await openRegistry({ paths });
  try {
    return registryDefinitionSource(registry, await loadRepository(paths), warn, true);
  } catch (error) {
    await registry.close();
    throw error;
  }
}

/**
 * An open registry as a definition source: one read of the registry per request. The first
 * read is also compared with the repository's own definitions, and a warning (naming
 * `duckfeat apply`) says when they differ, as retrieval reads what was applied.
 *
 * @example
 * const store = await FeatureStore.open({ source: registryDefinitionSource(registry, repo, console.warn) });
 */
export function registryDefinitionSource(
  registry: Registry,
  repo: Repository | undefined,
  warn: (message: string) => void,
  closeRegistry = false,
): DefinitionSource {
  let unchecked = repo;
  return {
    async readDefinitions() {
      const { plan, ...definitions } = await registry.readDefinitions(unchecked);
      if (plan) {
        unchecked = undefined;
        const { add, change, delete: remove } = summarize(plan);
        if (add + change + remove > 0) {
          warn(
            `the repository's definitions differ from the registry (${add} to add, ${change} to change, ${remove} to delete); retrieval uses the registry: run \`duckfeat apply\` to update it`,
          );
        }
      }
      return definitions;
    },
    ...(closeRegistry ? { close: () => registry.close() } : {}),
  };
}
