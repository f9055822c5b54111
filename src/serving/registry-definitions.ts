import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import type { FeatureViewDefinition, RepoConfig } from '../definitions/types.js';
import { type CompleteDefinitions, completeDefinitions } from '../registry/definitions.js';
import { openRegistry, type Registry } from '../registry/registry.js';
import { loadRepository } from '../repo/load-repository.js';

/** The definitions one `apply` left in the registry, as the server holds them in memory. */
export interface DefinitionsSnapshot extends CompleteDefinitions {
  /** As registered (source names, relative paths): `/push` finds views by source name. */
  readonly viewDefinitions: readonly FeatureViewDefinition[];
}

/**
 * The registry's definitions held in memory for the feature server, reloaded by `poll()`
 * when they may have changed (a new `apply`), never on the request path.
 *
 * - Embedded (PGlite) registry: it serves one process at a time, so it is opened only to
 *   read and closed at once (`duckfeat apply` is never kept waiting for long). Whoever opens
 *   it creates and removes a lock folder in `<repo>/.registry/`, which changes that folder's
 *   mtime: `poll()` stats it (microseconds) and reads the registry only when it moved.
 * - PostgreSQL: the connection stays open and `poll()` reads the definitions (a few small
 *   queries).
 * Either way the snapshot is replaced only when its content differs.
 *
 * @example
 * const definitions = await RegistryDefinitions.load(paths);
 * setInterval(async () => { if (await definitions.poll()) await online.refresh() }, 2000);
 */
export class RegistryDefinitions {
  #snapshot: DefinitionsSnapshot;
  #fingerprint: string;
  #signal: number;
  readonly #open: () => Promise<Registry>;
  readonly #registryDir: string;
  #kept: Registry | undefined;

  private constructor(
    open: () => Promise<Registry>,
    registryDir: string,
    first: { snapshot: DefinitionsSnapshot; fingerprint: string; signal: number },
    kept: Registry | undefined,
  ) {
    this.#open = open;
    this.#registryDir = registryDir;
    this.#snapshot = first.snapshot;
    this.#fingerprint = first.fingerprint;
    this.#signal = first.signal;
    this.#kept = kept;
  }

  /** Read the registry of the repository at `paths` (its config gives the project and URL). */
  static async load(paths: ProjectPaths, config?: RepoConfig): Promise<RegistryDefinitions> {
    const repoConfig = config ?? (await loadRepository(paths)).config;
    const open = () => openRegistry({ paths, config: repoConfig });
    const registryDir = join(paths.repo, '.registry');
    const registry = await open();
    let snapshot: DefinitionsSnapshot;
    try {
      snapshot = await readSnapshot(registry);
    } catch (error) {
      await registry.close();
      throw error;
    }
    const embedded = registry.backend === 'pglite';
    // Closing the embedded registry removes its lock folder: the mtime is taken after that.
    if (embedded) await registry.close();
    const first = {
      snapshot,
      fingerprint: JSON.stringify(snapshot),
      signal: embedded ? await mtimeOf(registryDir) : 0,
    };
    return new RegistryDefinitions(open, registryDir, first, embedded ? undefined : registry);
  }

  get snapshot(): DefinitionsSnapshot {
    return this.#snapshot;
  }

  /** Reload when the registry may have changed; true when the definitions differ. */
  async poll(): Promise<boolean> {
    let snapshot: DefinitionsSnapshot;
    if (this.#kept) {
      snapshot = await readSnapshot(this.#kept);
    } else {
      if ((await mtimeOf(this.#registryDir)) === this.#signal) return false;
      const registry = await this.#open();
      try {
        snapshot = await readSnapshot(registry);
      } finally {
        await registry.close();
      }
      // After closing: our own open and close moved the folder's mtime too.
      this.#signal = await mtimeOf(this.#registryDir);
    }
    const fingerprint = JSON.stringify(snapshot);
    if (fingerprint === this.#fingerprint) return false;
    this.#snapshot = snapshot;
    this.#fingerprint = fingerprint;
    return true;
  }

  /** The definition source's read, from memory. */
  async readDefinitions(): Promise<CompleteDefinitions> {
    const { viewDefinitions: _, ...definitions } = this.#snapshot;
    return definitions;
  }

  async close(): Promise<void> {
    const kept = this.#kept;
    this.#kept = undefined;
    await kept?.close();
  }
}

async function readSnapshot(registry: Registry): Promise<DefinitionsSnapshot> {
  const definitions = await completeDefinitions(await registry.readDefinitions(), registry);
  return { ...definitions, viewDefinitions: await registry.listFeatureViews() };
}

async function mtimeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return -1;
  }
}
