import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { type Kysely, sql } from 'kysely';
import type { ProjectPaths } from '../config/paths.js';
import type {
  EntityDefinition,
  FeatureServiceDefinition,
  FeatureViewDefinition,
  OnDemandFeatureViewDefinition,
  RepoConfig,
  ResolvedFeatureView,
} from '../definitions/types.js';
import type { MaterializationRecord } from '../engine/materialization-record.js';
import { NotFoundError, RegistryError } from '../errors.js';
import { loadRepository } from '../repo/load-repository.js';
import type { Repository } from '../repo/repository.js';
import { connectRegistry, type RegistryConnection } from './connect.js';
import {
  entitiesOf,
  featureServicesOf,
  featureViewsOf,
  onDemandViewsOf,
  type RetrievalDefinitions,
  resolvedViewsOf,
  retrievalDefinitionsOf,
} from './definitions.js';
import {
  insertMaterializations,
  type MaterializationRow,
  selectMaterializations,
} from './materializations.js';
import {
  insertOnlineMaterialization,
  type OnlineMaterializationRecord,
  type OnlineMaterializationRow,
  selectOnlineMaterializations,
} from './online-materializations.js';
import { drainPendingMaterializations } from './pending-materializations.js';
import { diffStates, type Plan } from './plan.js';
import type { RegistryDatabase } from './schema.js';
import { desiredState, findProjectId, readState } from './state.js';
import { writeChanges } from './write-changes.js';

/** The environment variable that points duckfeat at a PostgreSQL registry. */
export const REGISTRY_URL_ENV = 'DUCKFEAT_REGISTRY_URL';

export interface OpenRegistryOptions {
  /** `postgresql://…`; default: `DUCKFEAT_REGISTRY_URL`, then the config's `registry`, then embedded PGlite under `<repo>/.registry/`. */
  url?: string;
  paths: Pick<ProjectPaths, 'repo' | 'root'>;
  /** The project to work on; default: the repository config's `project`. */
  project?: string;
  /** A PostgreSQL schema to keep the tables in (isolation, e.g. in tests). */
  schema?: string;
  /** An already-open PGlite to use instead of the one under `<repo>/.registry/` (tests). */
  pglite?: PGlite;
  /** The repository's config, when already loaded (else it is loaded for project and URL). */
  config?: RepoConfig;
}

/** The feature registry of one project. Close it when done. */
export interface Registry {
  readonly project: string;
  /** Where it is, safe to print (password masked). */
  readonly location: string;
  readonly backend: 'postgresql' | 'pglite';
  /** What `apply(repo)` would change, field by field. Changes nothing. */
  planApply(repo: Repository): Promise<Plan>;
  /** Sync the registry to `repo` in one transaction under an advisory lock; returns what changed. */
  apply(repo: Repository): Promise<Plan>;
  /** Remove the project and everything recorded under it. */
  teardown(): Promise<void>;
  listEntities(): Promise<EntityDefinition[]>;
  listFeatureViews(): Promise<FeatureViewDefinition[]>;
  getFeatureView(name: string): Promise<FeatureViewDefinition>;
  listFeatureServices(): Promise<FeatureServiceDefinition[]>;
  listOnDemandFeatureViews(): Promise<OnDemandFeatureViewDefinition[]>;
  /** Every view with join keys and an absolute source path, as retrieval wants them. */
  resolveFeatureViews(): Promise<ResolvedFeatureView[]>;
  /**
   * Everything retrieval uses, from one read of the registry; with `repo`, also what
   * `apply(repo)` would change, compared with that same read.
   */
  readDefinitions(repo?: Repository): Promise<RetrievalDefinitions & { plan?: Plan }>;
  applyMaterializations(records: readonly MaterializationRecord[]): Promise<void>;
  listMaterializations(filter?: { view?: string }): Promise<MaterializationRow[]>;
  /** Record a completed `materialize` run of a view into an online store. */
  applyOnlineMaterialization(record: OnlineMaterializationRecord): Promise<void>;
  /** Recorded `materialize` runs, by view, then end of their interval. */
  listOnlineMaterializations(filter?: {
    view?: string;
    store?: string;
  }): Promise<OnlineMaterializationRow[]>;
  /** One object by name, as JSON-able data (views with their SQL version and last materialization). */
  describe(name: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Open the registry: PostgreSQL when a URL is given (option, `DUCKFEAT_REGISTRY_URL`, or the
 * config's `registry`), else the embedded PGlite under `<repo>/.registry/`. Materializations
 * `prep` queued under `<repo>/.registry-pending/` are recorded first.
 *
 * @example
 * const registry = await openRegistry({ paths: projectPaths() });
 * try { console.log(formatPlan(await registry.apply(repo))) } finally { await registry.close() }
 */
export async function openRegistry(options: OpenRegistryOptions): Promise<Registry> {
  let project = options.project;
  let url = options.url ?? (process.env[REGISTRY_URL_ENV] || undefined);
  if (!project || (!url && !options.pglite)) {
    const config = options.config ?? (await loadRepository(options.paths)).config;
    project ??= config.project;
    url ??= config.registry;
  }
  const connection = await connectRegistry({
    ...(options.pglite ? { pglite: options.pglite } : url ? { url } : {}),
    dataDir: join(options.paths.repo, '.registry'),
    ...(options.schema ? { schema: options.schema } : {}),
  });
  const registry = createRegistry(connection, project!, options.paths.repo);
  // What `prep` queued instead of opening the registry itself: recorded before anything reads.
  try {
    await drainPendingMaterializations(options.paths.repo, registry.applyMaterializations);
  } catch (error) {
    await registry.close().catch(() => {});
    throw error;
  }
  return registry;
}

function createRegistry(
  connection: RegistryConnection,
  project: string,
  repoDir: string,
): Registry {
  const { db } = connection;
  const projectId = () => findProjectId(db, project);
  /** The project's id, the project row created first if it is new (inside a transaction). */
  const ensureProjectId = async (trx: Kysely<RegistryDatabase>): Promise<number> => {
    await trx
      .insertInto('projects')
      .values({ name: project })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    return (await findProjectId(trx, project))!;
  };
  const checkProject = (repo: Repository) => {
    if (repo.config.project !== project) {
      throw new RegistryError(
        `Failed to apply: the repository is project "${repo.config.project}" but the registry was opened for "${project}"`,
      );
    }
  };

  const listFeatureViews = async (): Promise<FeatureViewDefinition[]> =>
    featureViewsOf(await readState(db, await projectId()));

  const registry: Registry = {
    project,
    location: connection.location,
    backend: connection.backend,

    async planApply(repo) {
      checkProject(repo);
      const current = await readState(db, await projectId());
      const changes = diffStates(current, desiredState(repo).state);
      return { project, registry: connection.location, changes };
    },

    async apply(repo) {
      checkProject(repo);
      const { state: desired, sql: sqlTexts } = desiredState(repo);
      return db.transaction().execute(async (trx) => {
        // Concurrent applies of one project queue here; each then sees the last one's result.
        await sql`select pg_advisory_xact_lock(${lockKey(project)}::bigint)`.execute(trx);
        const id = await ensureProjectId(trx);
        const changes = diffStates(await readState(trx, id), desired);
        if (changes.length > 0) {
          await writeChanges(trx, id, desired, sqlTexts, changes);
          await trx
            .updateTable('projects')
            .set({ updated_at: sql`now()` })
            .where('id', '=', id)
            .execute();
        }
        return { project, registry: connection.location, changes };
      });
    },

    async teardown() {
      await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${lockKey(project)}::bigint)`.execute(trx);
        const id = await findProjectId(trx, project);
        if (id === undefined) return;
        // Service refs and view entities point at views/entities without cascading: go in order.
        for (const table of [
          'feature_services',
          'on_demand_feature_views',
          'feature_views',
          'data_sources',
          'entities',
        ] as const) {
          await trx.deleteFrom(table).where('project_id', '=', id).execute();
        }
        await trx.deleteFrom('projects').where('id', '=', id).execute();
      });
    },

    async listEntities() {
      return entitiesOf(await readState(db, await projectId()));
    },

    listFeatureViews,

    async getFeatureView(name) {
      const views = await listFeatureViews();
      const view = views.find((v) => v.name === name);
      if (!view) {
        throw new NotFoundError(
          `Failed to find feature view "${name}" in project "${project}" ` +
            `(registered: ${views.map((v) => v.name).join(', ') || 'none; run duckfeat apply'})`,
        );
      }
      return view;
    },

    async listOnDemandFeatureViews() {
      return onDemandViewsOf(await readState(db, await projectId()));
    },

    async listFeatureServices() {
      return featureServicesOf(await readState(db, await projectId()));
    },

    async resolveFeatureViews() {
      return resolvedViewsOf(await readState(db, await projectId()), repoDir);
    },

    async readDefinitions(repo) {
      const state = await readState(db, await projectId());
      const definitions = retrievalDefinitionsOf(state, repoDir);
      if (!repo) return definitions;
      checkProject(repo);
      const changes = diffStates(state, desiredState(repo).state);
      return { ...definitions, plan: { project, registry: connection.location, changes } };
    },

    async applyMaterializations(records) {
      if (records.length === 0) return;
      await db.transaction().execute(async (trx) => {
        await insertMaterializations(trx, await ensureProjectId(trx), records);
      });
    },

    async listMaterializations(filter = {}) {
      const id = await projectId();
      return id === undefined ? [] : selectMaterializations(db, id, filter);
    },

    async applyOnlineMaterialization(record) {
      await db.transaction().execute(async (trx) => {
        await insertOnlineMaterialization(trx, await ensureProjectId(trx), record);
      });
    },

    async listOnlineMaterializations(filter = {}) {
      const id = await projectId();
      return id === undefined ? [] : selectOnlineMaterializations(db, id, filter);
    },

    async describe(name) {
      const state = await readState(db, await projectId());
      const view = (await listFeatureViews()).find((v) => v.name === name);
      if (view) {
        const id = (await projectId())!;
        const sqlVersion = await db
          .selectFrom('feature_views as v')
          .innerJoin('sql_versions as q', 'q.id', 'v.sql_version_id')
          .select(['q.path', 'q.sha256', 'q.created_at'])
          .where('v.project_id', '=', id)
          .where('v.name', '=', name)
          .executeTakeFirst();
        const materializations = await selectMaterializations(db, id, { view: name });
        return {
          ...view,
          joinKeys: view.entities.flatMap((e) => state.entities.get(e)?.joinKeys ?? []),
          sqlVersion: sqlVersion ?? null,
          materializations: materializations.length,
          lastMaterialization: materializations.at(-1) ?? null,
        };
      }
      const onDemand = onDemandViewsOf(state).find((v) => v.name === name);
      if (onDemand) return { ...onDemand };
      const service = (await registry.listFeatureServices()).find((s) => s.name === name);
      if (service) return { ...service };
      const entity = (await registry.listEntities()).find((e) => e.name === name);
      if (entity) return { ...entity };
      const source = state.dataSources.get(name);
      if (source) return { kind: 'fileSource', name, ...source };
      const known = [
        ...state.featureViews.keys(),
        ...state.onDemandFeatureViews.keys(),
        ...state.featureServices.keys(),
        ...state.entities.keys(),
        ...state.dataSources.keys(),
      ];
      throw new NotFoundError(
        `Failed to describe "${name}": no such object in project "${project}" ` +
          `(registered: ${known.join(', ') || 'none; run duckfeat apply'})`,
      );
    },

    close: () => connection.close(),
  };
  return registry;
}

/** A stable signed 64-bit advisory lock key per project. */
function lockKey(project: string): string {
  return createHash('sha256').update(`duckfeat:${project}`).digest().readBigInt64BE(0).toString();
}
