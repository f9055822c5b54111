import { type ProjectPaths, projectPaths } from '../config/paths.js';
import { openRegistry, type Registry } from '../registry/registry.js';
import { loadRepository } from '../repo/load-repository.js';
import type { Repository } from '../repo/repository.js';
import { FeatureStore } from '../retrieval/feature-store.js';
import { registryDefinitionSource } from '../retrieval/registry-source.js';

/**
 * What the steps of one pipeline run share: the feature repository (loaded once), one open
 * registry and one feature store retrieving through it. Pass them to the steps
 * (`prep({ repository })`, `recordMaterializations({ registry })`, `registry.apply(repository)`,
 * `trainStep({ repository, store })`, `predictStep({ repository, store })`); `close()`
 * releases them. The embedded registry (PGlite, one process at a time) is opened once
 * instead of at every step.
 */
export interface PipelineSession {
  readonly paths: ProjectPaths;
  readonly repository: Repository;
  readonly registry: Registry;
  readonly store: FeatureStore;
  close(): Promise<void>;
}

export interface PipelineSessionOptions {
  /** Default: the working directory's project (`feature_store/` repository). */
  readonly paths?: ProjectPaths;
  /** A `postgresql://` registry URL; default `DUCKFEAT_REGISTRY_URL`, the config's, or embedded. */
  readonly url?: string;
  /** Where warnings go (the registry differs from the repository); default `console.warn`. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Load the repository, open its registry and a feature store over it, for a whole run.
 *
 * @example
 * const session = await openPipelineSession();
 * try {
 *   const { repository, registry, store, paths } = session;
 *   const result = await prep({ paths, transactions, repository });
 *   await recordMaterializations({ paths, records: result.tasks, registry });
 *   await registry.apply(repository);
 *   await trainStep({ paths, repository, store });
 *   await predictStep({ paths, repository, store });
 * } finally {
 *   await session.close();
 * }
 */
export async function openPipelineSession(
  options: PipelineSessionOptions = {},
): Promise<PipelineSession> {
  const paths = options.paths ?? projectPaths();
  const repository = await loadRepository(paths);
  const registry = await openRegistry({
    paths,
    project: repository.config.project,
    config: repository.config,
    ...(options.url ? { url: options.url } : {}),
  });
  let store: FeatureStore;
  try {
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    store = await FeatureStore.open({
      paths,
      source: registryDefinitionSource(registry, repository, warn),
    });
  } catch (error) {
    await registry.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    paths,
    repository,
    registry,
    store,
    close() {
      closing ??= store.close().finally(() => registry.close());
      return closing;
    },
  };
}
