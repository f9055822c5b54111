import type { ProjectPaths } from '../config/paths.js';
import type { PrepTaskRecord } from '../engine/prep.js';
import { errorMessage } from '../errors.js';
import { type OpenRegistryOptions, openRegistry, type Registry } from '../registry/registry.js';

export interface RecordMaterializationsOptions {
  paths: Pick<ProjectPaths, 'repo' | 'root'>;
  /** The records of a `prep` run; only the computed ones (not `reused`) are recorded. */
  records: readonly PrepTaskRecord[];
  /**
   * An open registry to record in (left open), or how to open one (URL, project, …; by
   * default as `openRegistry` decides), closed afterwards.
   */
  registry?: Registry | Omit<OpenRegistryOptions, 'paths'>;
}

export interface RecordMaterializationsOutcome {
  /** Records written (0 when nothing was computed or the registry could not be used). */
  recorded: number;
  /** The registry written to (masked URL or embedded folder), when it was opened. */
  location?: string;
  /** Why nothing was recorded, or that the project is not applied yet: print it once. */
  warning?: string;
  /** Milliseconds spent opening the registry and writing (kept out of prep's timings). */
  ms: number;
}

/**
 * Record the materializations a `prep` run computed in the project's registry (reused
 * partitions were recorded by the run that computed them). Never throws: a registry that
 * cannot be opened (no repository, an unreachable server) yields a `warning` and prep's
 * outputs stand. The registry keeps materializations by view name, so they are recorded
 * even before `duckfeat apply` — with a warning saying to run it.
 *
 * @example
 * const result = await prep(options);
 * const outcome = await recordMaterializations({ paths, records: result.tasks, registry });
 * if (outcome.warning) console.warn(outcome.warning);
 */
export async function recordMaterializations(
  options: RecordMaterializationsOptions,
): Promise<RecordMaterializationsOutcome> {
  const started = performance.now();
  const computed = options.records.filter((r) => !r.reused);
  if (computed.length === 0) return { recorded: 0, ms: 0 };
  const elapsed = () => performance.now() - started;
  const given = isRegistry(options.registry) ? options.registry : undefined;
  let registry: Registry;
  try {
    registry =
      given ??
      (await openRegistry({
        ...(options.registry as Omit<OpenRegistryOptions, 'paths'> | undefined),
        paths: options.paths,
      }));
  } catch (error) {
    return {
      recorded: 0,
      warning: `materializations not recorded: ${errorMessage(error)}`,
      ms: elapsed(),
    };
  }
  try {
    // Checked before writing: recording creates the project row when it is missing.
    const applied = (await registry.listFeatureViews()).length > 0;
    await registry.applyMaterializations(computed);
    return {
      recorded: computed.length,
      location: registry.location,
      ...(applied
        ? {}
        : {
            warning: `project "${registry.project}" has no applied definitions in the registry yet: run \`duckfeat apply\` (materializations were recorded by view name)`,
          }),
      ms: elapsed(),
    };
  } catch (error) {
    return {
      recorded: 0,
      location: registry.location,
      warning: `materializations not recorded in ${registry.location}: ${errorMessage(error)}`,
      ms: elapsed(),
    };
  } finally {
    if (!given) await registry.close().catch(() => {});
  }
}

function isRegistry(value: RecordMaterializationsOptions['registry']): value is Registry {
  return typeof (value as Registry | undefined)?.applyMaterializations === 'function';
}
