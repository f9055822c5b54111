import type { ProjectPaths } from '../config/paths.js';
import { loadRepository } from '../repo/load-repository.js';
import type { Repository } from '../repo/repository.js';
import { type SourceCheck, validateSources } from '../repo/validate-sources.js';
import { openRegistry, type Registry } from './registry.js';

/**
 * Load and validate the repository (sources too, unless `checkSources` is false), open its
 * registry, run `fn`, and close the registry whatever happens.
 */
export async function withRepositoryRegistry<T>(
  paths: Pick<ProjectPaths, 'repo' | 'root'>,
  options: { url?: string; checkSources?: boolean; onSkipped?: (check: SourceCheck) => void },
  fn: (registry: Registry, repo: Repository) => Promise<T>,
): Promise<T> {
  const repo = await loadRepository(paths);
  if (options.checkSources !== false) {
    for (const check of await validateSources(repo)) {
      if (check.skipped) options.onSkipped?.(check);
    }
  }
  const url = options.url ?? (process.env['DUCKFEAT_REGISTRY_URL'] || repo.config.registry);
  const registry = await openRegistry({
    paths,
    project: repo.config.project,
    config: repo.config,
    ...(url ? { url } : {}),
  });
  try {
    return await fn(registry, repo);
  } finally {
    await registry.close();
  }
}

/** Open the registry of the repository's project (the repository is loaded for its config). */
export async function withRegistry<T>(
  paths: Pick<ProjectPaths, 'repo' | 'root'>,
  fn: (registry: Registry) => Promise<T>,
): Promise<T> {
  const registry = await openRegistry({ paths });
  try {
    return await fn(registry);
  } finally {
    await registry.close();
  }
}
