import type { FastifyInstance } from 'fastify';
import { type ProjectPaths, pathsFrom, resolveFrom } from '../config/paths.js';
import { errorMessage, NotFoundError } from '../errors.js';
import { OnlineFeatureStore } from '../online/online-feature-store.js';
import type { OnlineStore } from '../online/online-store.js';
import { pipelineArtifacts } from '../pipeline/artifacts.js';
import { resolveLabelView } from '../pipeline/label-view.js';
import { loadRepository } from '../repo/load-repository.js';
import type { Repository } from '../repo/repository.js';
import { buildApp } from './app.js';
import { SERVE_TOKEN_ENV } from './bearer-auth.js';
import { createServingMetrics } from './metrics.js';
import { ModelScorer } from './model-scorer.js';
import { ParquetOfflinePush } from './offline-push.js';
import { RegistryDefinitions } from './registry-definitions.js';

export interface ServerOptions {
  /** The feature repository folder (default `feature_store`, against `root`). */
  repo?: string;
  /** The project root (default: the working directory). */
  root?: string;
  /** Every path at once; overrides `repo` and `root`. */
  paths?: ProjectPaths;
  /** Interface to listen on (default `127.0.0.1`: this machine only). */
  host?: string;
  /** Port (default 6566, Feast's; 0 = any free port). */
  port?: number;
  /** Bearer token every route but `/health` requires (default `DUCKFEAT_SERVE_TOKEN`; empty: none). */
  token?: string;
  /**
   * The label view whose model `/predict` scores with (default: the repository's only one):
   * its model file (`models/<prediction>_model.txt`) and feature service are the defaults.
   */
  labels?: string;
  /** The model `/predict` scores with (default: the label view's). */
  model?: string;
  /** The features `/predict` reads when a request names none (default: the label view's service). */
  predictFeatures?: string;
  /** How often the registry and the model file are checked for changes, ms (default 1000). */
  reloadIntervalMs?: number;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** The online store (default: the repository's configured one); not closed by `close()`. */
  store?: OnlineStore;
  /** Where the server reports reloads and unexpected errors (default: stderr). */
  log?: (message: string) => void;
}

/** A feature server: not listening until `listen()`. */
export interface DuckfeatServer {
  /** The Fastify app (`app.inject()` in tests). */
  readonly app: FastifyInstance;
  /** Start listening; resolves to the base URL (`http://127.0.0.1:6566`). */
  listen(): Promise<string>;
  /** Check the registry and the model for changes now, as the timer does. */
  reload(): Promise<void>;
  /** Stop accepting requests, let those in flight finish, close the store and the registry. */
  close(): Promise<void>;
}

/**
 * The feature server of a project: `POST /get-online-features` (Feast's JSON), `POST /push`,
 * `POST /predict` (features + the model's probability), `GET /health`, `GET /metrics`.
 * Definitions come from the registry and the model from its file; both are picked up again
 * when they change (checked every `reloadIntervalMs`), without a restart.
 *
 * @example
 * const server = await createServer({ repo: 'feature_store', port: 0 });
 * const url = await server.listen();
 * // curl -X POST $url/predict -d '{"entities":{"customer_id":[12347]}}'
 * await server.close();
 */
export async function createServer(options: ServerOptions = {}): Promise<DuckfeatServer> {
  const paths = pathsFrom(options);
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const repository = await loadRepository(paths);
  const { config } = repository;
  const predict = predictDefaults(repository, paths, options);
  const definitions = await RegistryDefinitions.load(paths, config);
  let online: OnlineFeatureStore;
  try {
    online = await OnlineFeatureStore.open({
      paths,
      source: definitions,
      ...(options.store ? { store: options.store } : {}),
    });
  } catch (error) {
    await definitions.close();
    throw error;
  }
  const scorer = new ModelScorer(predict.model, predict.reason);
  await scorer.check();
  const metrics = createServingMetrics();
  const offline = new ParquetOfflinePush();
  const token = options.token ?? process.env[SERVE_TOKEN_ENV] ?? '';
  const app = buildApp({
    online,
    offline,
    definitions,
    scorer,
    metrics,
    ...(predict.features !== undefined ? { predictFeatures: predict.features } : {}),
    ...(token ? { token } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    logError: log,
  });

  let reloading: Promise<void> | undefined;
  const reload = () => {
    reloading ??= (async () => {
      try {
        if (await definitions.poll()) {
          await online.refresh();
          metrics.reloads.inc({ what: 'definitions' });
          log('duckfeat serve: the registry changed; definitions reloaded');
        }
      } catch (error) {
        log(`duckfeat serve: failed to reload the definitions: ${errorMessage(error)}`);
      }
      const model = await scorer.check();
      if (model === 'loaded') {
        metrics.reloads.inc({ what: 'model' });
        log(`duckfeat serve: model reloaded from ${scorer.path}`);
      } else if (model === 'failed') {
        const kept = scorer.current ? ' (the loaded model stays in use)' : '';
        log(`duckfeat serve: ${scorer.lastError}${kept}`);
      }
    })().finally(() => {
      reloading = undefined;
    });
    return reloading;
  };
  const timer = setInterval(() => void reload(), options.reloadIntervalMs ?? 1000);
  timer.unref();

  app.addHook('onClose', async () => {
    clearInterval(timer);
    await reloading;
    await online.close();
    await definitions.close();
    await offline.close();
  });

  return {
    app,
    reload,
    async listen() {
      return app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 6566 });
    },
    close: () => app.close(),
  };
}

/**
 * The model file and default features of `/predict`: the options, else the label view's;
 * without either, why there is no model (the server still serves features).
 */
function predictDefaults(
  repository: Repository,
  paths: ProjectPaths,
  options: ServerOptions,
): { model?: string; features?: string; reason?: string } {
  const model = options.model ? resolveFrom(paths.root, options.model) : undefined;
  if (model && options.predictFeatures) return { model, features: options.predictFeatures };
  try {
    const labels = resolveLabelView(repository, options.labels);
    return {
      model: model ?? pipelineArtifacts(paths, labels).model,
      features: options.predictFeatures ?? labels.featureService,
    };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return {
      ...(model ? { model } : {}),
      ...(options.predictFeatures ? { features: options.predictFeatures } : {}),
      reason: `${error.message}; give the model with --model`,
    };
  }
}
