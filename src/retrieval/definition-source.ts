import type { ProjectPaths } from '../config/paths.js';
import type { DefinitionSource } from './feature-store.js';

/**
 * The definitions a store reads: `given` when there is one (its owner closes it), else the
 * project's registry, opened here (the store that asked closes it). The registry's modules
 * are loaded only then.
 */
export async function openDefinitionSource<S extends DefinitionSource>(
  paths: ProjectPaths,
  given: S | undefined,
  onWarning: ((message: string) => void) | undefined,
): Promise<S> {
  if (given) return given;
  const { openRegistrySource } = await import('./registry-source.js');
  // The registry's source reads every part of the definitions (entities, on-demand views).
  return (await openRegistrySource(paths, onWarning ?? ((m) => console.warn(m)))) as S;
}
