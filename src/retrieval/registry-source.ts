import type { ProjectPaths } from '../config/paths.js';
import { summarize } from '../registry/plan.js';
import { openRegistry } from '../registry/registry.js';
import { loadRepository } from '../repo/load-repository.js';
import type { DefinitionSource } from './feature-store.js';

/**
 * The registry as a definition source. Compares it with the repository's own definitions
 * and warns (naming `duckfeat apply`) when they differ, as retrieval reads what was applied.
 */
export async function openRegistrySource(
  paths: ProjectPaths,
  warn: (message: string) => void,
): Promise<DefinitionSource> {
  const registry = await openRegistry({ paths });
  try {
    const repo = await loadRepository(paths);
    const { add, change, delete: remove } = summarize(await registry.planApply(repo));
    if (add + change + remove > 0) {
      warn(
        `the repository's definitions differ from the registry (${add} to add, ${change} to change, ${remove} to delete); retrieval uses the registry: run \`duckfeat apply\` to update it`,
      );
    }
  } catch (error) {
    await registry.close();
    throw error;
  }
  return registry;
}
