import type { FastifyInstance } from 'fastify';
import { errorMessage } from '../../errors.js';
import type { AppDependencies } from '../app.js';

/**
 * `GET /health`: 200 when the online store answers, else 503 naming why; the model's state
 * either way (a server without a model still serves features). `GET /metrics`: Prometheus.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: AppDependencies): void {
  app.get('/health', async (_request, reply) => {
    const model = deps.scorer.current;
    const modelState = model
      ? { loaded: true, path: model.path, modified_at: model.modifiedAt.toISOString() }
      : { loaded: false, error: deps.scorer.lastError ?? 'not loaded yet' };
    try {
      await deps.online.store.ping();
    } catch (error) {
      deps.metrics.storeErrors.inc({ operation: 'ping' });
      return reply.code(503).send({
        status: 'unavailable',
        error: `Failed to reach the online store: ${errorMessage(error)}`,
        online_store: deps.online.store.description,
        model: modelState,
      });
    }
    return { status: 'ok', online_store: deps.online.store.description, model: modelState };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
