import Fastify, { type FastifyInstance } from 'fastify';
import { OnlineStoreUnavailableError } from '../errors.js';
import { bearerCheck } from './bearer-auth.js';
import { errorReply, HttpError } from './http-errors.js';
import type { ServingMetrics } from './metrics.js';
import type { ModelScorer } from './model-scorer.js';
import type { OfflinePush } from './offline-push.js';
import type { OnlineServing } from './online-serving.js';
import type { DefinitionsSnapshot } from './registry-definitions.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerOnlineFeaturesRoute } from './routes/online-features.js';
import { registerPredictRoute } from './routes/predict.js';
import { registerPushRoute } from './routes/push.js';

/** Everything the HTTP layer needs; `createServer` builds it from a project. */
export interface AppDependencies {
  readonly online: OnlineServing;
  /** The registry's definitions as last loaded (`/push` resolves names against them). */
  readonly definitions: { readonly snapshot: DefinitionsSnapshot };
  /** Appends pushed rows to a view's offline source (`to: "offline"`); absent: refused. */
  readonly offline?: OfflinePush;
  readonly scorer: ModelScorer;
  readonly metrics: ServingMetrics;
  /** The features `/predict` reads when the request names none (the model's feature service). */
  readonly predictFeatures?: string;
  /** Require `Authorization: Bearer <token>` on every route but `/health`. */
  readonly token?: string;
  /** Largest accepted body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Where unexpected errors are reported (never with request headers). */
  readonly logError: (message: string) => void;
}

/** What each route does, for error messages: `Failed to <what>: …`. */
const ROUTE_VERBS: Record<string, string> = {
  '/get-online-features': 'get online features',
  '/predict': 'predict',
  '/push': 'push',
};

/**
 * The feature server's Fastify app: routes, bearer-token check, metrics and error replies
 * (`{ "error": "Failed to …" }` with 400/401/404/503/500). Not listening: `createServer`
 * listens; tests call `app.inject()`.
 */
export function buildApp(deps: AppDependencies): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    // Close idle keep-alive connections on close(); requests in flight finish first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  // Feast's own examples post JSON without a JSON content type (`curl -d`): every body is
  // parsed as JSON, with Fastify's parser (which refuses prototype poisoning).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  if (deps.token) {
    const allowed = bearerCheck(deps.token);
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url === '/health') return;
      if (!allowed(request.headers.authorization)) {
        reply.header('www-authenticate', 'Bearer');
        throw new HttpError(401, 'Failed to authorize: a valid bearer token is required');
      }
    });
  }

  // A response finished after close() began tells its client to close the connection, so a
  // keep-alive connection busy at close() does not hold the server open until it times out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // (Hooks on every request take `done` rather than being async: no promise per request.)
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  const { requests, latency } = deps.metrics;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: request.method, status: reply.statusCode });
    latency.observe({ route }, reply.elapsedTime / 1000);
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const what = ROUTE_VERBS[request.routeOptions.url ?? ''] ?? 'serve the request';
    const { status, message } = errorReply(error, what);
    if (error instanceof OnlineStoreUnavailableError) {
      deps.metrics.storeErrors.inc({
        operation: request.routeOptions.url === '/push' ? 'write' : 'read',
      });
    } else if (status >= 500) {
      deps.logError(`${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
    }
    return reply.code(status).send({ error: message });
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: `Failed to serve the request: no route ${request.method} ${request.url}` }),
  );

  registerOnlineFeaturesRoute(app, deps);
  registerPredictRoute(app, deps);
  registerPushRoute(app, deps);
  registerHealthRoutes(app, deps);
  return app;
}
