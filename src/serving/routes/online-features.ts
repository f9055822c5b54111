import type { FastifyInstance } from 'fastify';
import type { AppDependencies } from '../app.js';
import { toOnlineRequest } from '../online-serving.js';
import { type OnlineFeaturesBody, onlineFeaturesBody } from '../request-schemas.js';
import { onlineFeaturesJson } from '../response-json.js';
import { onlineFeaturesResponse } from '../response-schemas.js';

/** `POST /get-online-features`: Feast's feature server request and response, unchanged. */
export function registerOnlineFeaturesRoute(app: FastifyInstance, deps: AppDependencies): void {
  app.post<{ Body: OnlineFeaturesBody }>(
    '/get-online-features',
    {
      schema: { body: onlineFeaturesBody, response: { 200: onlineFeaturesResponse } },
      // The schema documents the 200 response; this writes it (see response-json.ts).
      serializerCompiler: () => onlineFeaturesJson,
    },
    (request) => deps.online.getOnlineFeatures(toOnlineRequest(request.body)),
  );
}
