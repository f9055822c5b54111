import { dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type ProjectPaths, pathsFrom } from '../config/paths.js';
import type { ResolvedFeatureView } from '../definitions/types.js';
import type { ColumnInfo } from '../duckdb/column-types.js';
import { createInstance } from '../duckdb/connection.js';
import { errorMessage, InputError } from '../errors.js';
import type { RetrievalDefinitions } from '../registry/definitions.js';
import { type CompiledRetrieval, renderRetrieval } from './compiler.js';
import { openDefinitionSource } from './definition-source.js';
import {
  describeRelation,
  type EntityRelation,
  MEMORY_TABLE,
  type MemoryColumn,
  resolveEntityRelation,
} from './entity-input.js';
import { resolveFeatureSelection } from './feature-refs.js';
import { RetrievalJob } from './job.js';
import { planRetrieval, type RetrievalPlan, withUniqueSources } from './plan.js';
import type { HistoricalFeaturesRequest } from './request.js';
import { UniqueKeyChecks } from './unique-keys.js';

/**
 * Where a feature store gets its definitions: the registry, or anything shaped like it.
 * Read once per request.
 *
 * @example
 * const source: DefinitionSource = { readDefinitions: async () => ({ views, services: [] }) };
 */
export interface DefinitionSource {
  readDefinitions(): Promise<RetrievalDefinitions>;
  close?(): Promise<void>;
}

export interface FeatureStoreOptions {
  /** The feature repository folder (default `feature_store`, against `root`). */
  repo?: string;
  /** The project root (default: the working directory). */
  root?: string;
  /** Every path at once; overrides `repo` and `root`. */
  paths?: ProjectPaths;
  /** Definitions to retrieve with; default: the registry (what `duckfeat apply` wrote). */
  source?: DefinitionSource;
  /** The DuckDB instance to run on; default: a new in-memory one, closed by `close()`. */
  instance?: DuckDBInstance;
  /** Write each run's SQL to `target/compiled/<name>.sql` (default true). */
  writeCompiled?: boolean;
  /** Where warnings go (repository differs from registry); default `console.warn`. */
  onWarning?: (message: string) => void;
  /**
   * Check each view's source file once for duplicate (keys, feature timestamp) rows and skip
   * the deduplication when there are none (the result is the same; a sort of the source is
   * saved). The facts are kept in this JSON file, per file version (default
   * `target/retrieval-checks.json`); `false`: never check, always deduplicate.
   */
  uniqueKeyCache?: string | false;
}

/**
 * Point-in-time retrieval over a feature repository's registered views.
 *
 * @example
 * const store = await FeatureStore.open({ repo: 'feature_store' });
 * try {
 *   const job = await store.getHistoricalFeatures({
 *     entities: 'feature_store/data/purchase_labels.parquet',
 *     features: 'purchase_model_features',
 *   });
 *   const { rowCount, columns } = await job.toColumns();
 * } finally {
 *   await store.close();
 * }
 */
export class FeatureStore {
  readonly paths: ProjectPaths;
  readonly #source: DefinitionSource;
  readonly #instance: DuckDBInstance;
  readonly #ownsInstance: boolean;
  readonly #ownsSource: boolean;
  readonly #writeCompiled: boolean;
  readonly #uniqueKeys: UniqueKeyChecks | undefined;

  private constructor(
    paths: ProjectPaths,
    source: DefinitionSource,
    instance: DuckDBInstance,
    owns: { instance: boolean; source: boolean },
    writeCompiled: boolean,
    uniqueKeys: UniqueKeyChecks | undefined,
  ) {
    this.paths = paths;
    this.#source = source;
    this.#instance = instance;
    this.#ownsInstance = owns.instance;
    this.#ownsSource = owns.source;
    this.#writeCompiled = writeCompiled;
    this.#uniqueKeys = uniqueKeys;
  }

  /** Open a store; without `source` it reads the registry and warns when the repository differs. */
  static async open(options: FeatureStoreOptions = {}): Promise<FeatureStore> {
    const paths = pathsFrom(options);
    const source = await openDefinitionSource(paths, options.source, options.onWarning);
    try {
      const instance = options.instance ?? (await createInstance());
      return new FeatureStore(
        paths,
        source,
        instance,
        { instance: !options.instance, source: !options.source },
        options.writeCompiled ?? true,
        options.uniqueKeyCache === false
          ? undefined
          : new UniqueKeyChecks(
              options.uniqueKeyCache ?? join(dirname(paths.compiled), 'retrieval-checks.json'),
            ),
      );
    } catch (error) {
      if (!options.source) await source.close?.();
      throw error;
    }
  }

  /**
   * Plan a retrieval and return the job that runs it. Everything that can be checked
   * before running is checked here (features, entity columns and types, source columns),
   * so errors come before anything is written. The definitions are read once and the
   * request planned once; the job renders the plan.
   */
  async getHistoricalFeatures(request: HistoricalFeaturesRequest): Promise<RetrievalJob> {
    const { plan, memory } = await this.#plan(request);
    return new RetrievalJob({
      plan,
      instance: this.#instance,
      ...(memory ? { memory } : {}),
      ...(this.#writeCompiled ? { compiledDir: this.paths.compiled } : {}),
    });
  }

  /** The compiled SQL of a request, without running it. */
  async compile(request: HistoricalFeaturesRequest): Promise<CompiledRetrieval> {
    return renderRetrieval((await this.#plan(request)).plan);
  }

  /** Release the DuckDB instance and the registry connection the store opened. */
  async close(): Promise<void> {
    if (this.#ownsInstance) this.#instance.closeSync();
    if (this.#ownsSource) await this.#source.close?.();
  }

  async #plan(
    request: HistoricalFeaturesRequest,
  ): Promise<{ plan: RetrievalPlan; memory?: readonly MemoryColumn[] }> {
    const resolved =
      request.entities === undefined
        ? undefined
        : resolveEntityRelation(request.entities, this.paths.root);
    const { views, services, onDemandViews = [] } = await this.#source.readDefinitions();
    const selection = resolveFeatureSelection(request.features, views, services, onDemandViews);
    let relation: EntityRelation | undefined;
    let memory: MemoryColumn[] | undefined;
    if (resolved && 'memory' in resolved) {
      memory = resolved.memory;
      relation = { kind: 'memory', table: MEMORY_TABLE, rowCount: resolved.rowCount };
    } else {
      relation = resolved;
    }
    const read = new Set([
      ...selection.views.map((s) => s.view.name),
      ...selection.onDemand.flatMap((o) => o.view.sources),
    ]);
    const connection = await this.#instance.connect();
    let columns: ColumnInfo[] | undefined;
    const sourceColumns: Record<string, ColumnInfo[]> = {};
    try {
      if (memory) columns = memory.map((c) => ({ name: c.name, type: c.type }));
      else if (relation) columns = await describeRelation(connection, relation);
      for (const view of views) {
        if (read.has(view.name)) sourceColumns[view.name] = await describeSource(connection, view);
      }
    } finally {
      connection.closeSync();
    }
    // Planning checks the whole request, so an invalid one fails (and writes nothing)
    // before any source is probed.
    const plan = planRetrieval({
      request,
      views,
      services,
      onDemandViews,
      ...(relation && columns ? { entities: { relation, columns } } : {}),
      sourceColumns,
    });
    const deduplicated = plan.views.filter((v) => v.join === 'asof');
    const unique = this.#uniqueKeys
      ? await this.#uniqueKeys.uniqueViews(
          this.#instance,
          deduplicated.map((v) => v.relation),
        )
      : new Set<string>();
    return { plan: withUniqueSources(plan, unique), ...(memory ? { memory } : {}) };
  }
}

/** The columns of a view's source file; an unreadable file is an `InputError` naming `prep`. */
export async function describeSource(
  connection: DuckDBConnection,
  view: ResolvedFeatureView,
): Promise<ColumnInfo[]> {
  const reader = view.source.format === 'csv' ? 'read_csv' : 'read_parquet';
  try {
    const result = await connection.run(`SELECT * FROM ${reader}($path) LIMIT 0`, {
      path: view.source.path,
    });
    const types = result.columnTypes();
    return result.columnNames().map((name, i) => ({ name, type: types[i]!.toString() }));
  } catch (error) {
    throw new InputError(
      `Failed to read feature view "${view.name}": its data at ${view.source.path} cannot be read (${errorMessage(error).split('\n')[0]}); run \`duckfeat prep\` to produce it`,
      { cause: error },
    );
  }
}
