import { type ProjectPaths, pathsFrom } from '../config/paths.js';
import type { EntityDefinition, OnDemandFeatureViewDefinition } from '../definitions/types.js';
import { InputError, NotFoundError } from '../errors.js';
import { completeDefinitions } from '../registry/definitions.js';
import { loadRepository } from '../repo/load-repository.js';
import { openDefinitionSource } from '../retrieval/definition-source.js';
import { suggest } from '../retrieval/feature-refs.js';
import type { DefinitionSource } from '../retrieval/feature-store.js';
import { joinKeyTypes } from './entity-keys.js';
import type { OnDemandEvaluator } from './on-demand-evaluator.js';
import {
  type OnDemandEvaluate,
  type OnlineDefinitions,
  readOnlineFeatures,
} from './online-read.js';
import type { OnlineStore } from './online-store.js';
import { openOnlineStore } from './open-online-store.js';
import { pushRows } from './push-rows.js';
import type { OnlineFeaturesRequest, OnlineFeaturesResponse, OnlinePushRequest } from './types.js';

/** Definitions for online reads; `listEntities` gives the join keys' types (checked per request). */
export interface OnlineDefinitionSource extends DefinitionSource {
  listEntities?(): Promise<readonly EntityDefinition[]>;
  listOnDemandFeatureViews?(): Promise<readonly OnDemandFeatureViewDefinition[]>;
}

export interface OnlineFeatureStoreOptions {
  /** The feature repository folder (default `feature_store`, against `root`). */
  repo?: string;
  /** The project root (default: the working directory). */
  root?: string;
  /** Every path at once; overrides `repo` and `root`. */
  paths?: ProjectPaths;
  /** Definitions; default: the registry (what `duckfeat apply` wrote). */
  source?: OnlineDefinitionSource;
  /**
   * The online store; default: `DUCKFEAT_ONLINE_URL`, then the config's `onlineStore`, then
   * the embedded store under the repository. A store given here is not closed by `close()`.
   */
  store?: OnlineStore;
  /** Where warnings go (repository differs from registry); default `console.warn`. */
  onWarning?: (message: string) => void;
}

/**
 * Online serving: feature vectors of live entities from the online store (filled by
 * `duckfeat materialize`), with the same definitions as `FeatureStore`'s point-in-time
 * retrieval. A sibling of `FeatureStore` rather than a method on it: it keeps the
 * definitions in memory between requests (`refresh()` reloads them after an `apply`) and
 * holds the online store's connection, where `FeatureStore` holds a DuckDB instance.
 *
 * @example
 * const online = await OnlineFeatureStore.open({ repo: 'feature_store' });
 * try {
 *   const response = await online.getOnlineFeatures({
 *     featureService: 'purchase_model_features',
 *     entities: { customer_id: [12346, 12347] },
 *   });
 *   // response.metadata.feature_names: ['customer_id', 'recency_days', …]
 *   // response.results[1]: { values: [...], statuses: ['PRESENT', …], event_timestamps: [...] }
 * } finally {
 *   await online.close();
 * }
 */
export class OnlineFeatureStore {
  readonly paths: ProjectPaths;
  /** The online store reads go to. */
  readonly store: OnlineStore;
  readonly #source: OnlineDefinitionSource;
  readonly #owns: { store: boolean; source: boolean };
  #definitions: OnlineDefinitions;

  private constructor(
    paths: ProjectPaths,
    store: OnlineStore,
    source: OnlineDefinitionSource,
    owns: { store: boolean; source: boolean },
    definitions: OnlineDefinitions,
  ) {
    this.paths = paths;
    this.store = store;
    this.#source = source;
    this.#owns = owns;
    this.#definitions = definitions;
  }

  /** Open the definitions and the online store. */
  static async open(options: OnlineFeatureStoreOptions = {}): Promise<OnlineFeatureStore> {
    const paths = pathsFrom(options);
    const source = await openDefinitionSource(paths, options.source, options.onWarning);
    try {
      const definitions = await loadDefinitions(source);
      const store =
        options.store ??
        (await openOnlineStore({ paths, config: (await loadRepository(paths)).config }));
      return new OnlineFeatureStore(
        paths,
        store,
        source,
        { store: !options.store, source: !options.source },
        definitions,
      );
    } catch (error) {
      if (!options.source) await source.close?.();
      throw error;
    }
  }

  /**
   * Read the latest materialized values of the requested features for each entity row.
   * The view's TTL is enforced: a row older than `requestTime − ttl` comes back as null with
   * status OUTSIDE_MAX_AGE. Unknown features or services throw `NotFoundError` (with close
   * names), missing or mistyped join keys `InputError`, an unreachable store
   * `OnlineStoreUnavailableError`.
   */
  async getOnlineFeatures(request: OnlineFeaturesRequest): Promise<OnlineFeaturesResponse> {
    return readOnlineFeatures(this.store, this.#definitions, request, this.#evaluate);
  }

  /** On-demand features, by an `OnDemandEvaluator` (DuckDB) opened at first use. */
  readonly #evaluate: OnDemandEvaluate = async (view, inputs, features) => {
    this.#evaluator ??= import('./on-demand-evaluator.js').then((m) => m.OnDemandEvaluator.open());
    return (await this.#evaluator).evaluate(view, this.#definitions.views, inputs, features);
  };
  #evaluator: Promise<OnDemandEvaluator> | undefined;

  /**
   * Write rows of one view to the online store, as a materialize run would (each entity's
   * row whole; of rows with the same key, the newest). A row replaces what is stored for its
   * key, whatever its timestamp. Returns how many entity rows were written.
   */
  async pushOnline(request: OnlinePushRequest): Promise<number> {
    const view = this.#definitions.views.find((v) => v.name === request.featureView);
    if (!view) {
      throw new NotFoundError(
        `Failed to push rows: no feature view "${request.featureView}"${suggest(
          String(request.featureView),
          this.#definitions.views.map((v) => v.name),
          'feature views',
        )}`,
      );
    }
    if (!Array.isArray(request.rows)) {
      throw new InputError('Failed to push rows: rows must be a list of objects');
    }
    const rows = pushRows(view, request.rows, joinKeyTypes(this.#definitions.entities));
    const writer = await this.store.beginWrite(view);
    try {
      await writer.write(rows);
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return rows.length;
  }

  /** Reload the definitions (after an `apply`); requests in flight keep the ones they started with. */
  async refresh(): Promise<void> {
    this.#definitions = await loadDefinitions(this.#source);
  }

  /** Close the online store and the registry connection, when this store opened them. */
  async close(): Promise<void> {
    if (this.#owns.store) await this.store.close();
    if (this.#owns.source) await this.#source.close?.();
    const evaluator = this.#evaluator;
    this.#evaluator = undefined;
    if (evaluator) (await evaluator.catch(() => undefined))?.close();
  }
}

async function loadDefinitions(source: OnlineDefinitionSource): Promise<OnlineDefinitions> {
  return completeDefinitions(await source.readDefinitions(), source);
}
