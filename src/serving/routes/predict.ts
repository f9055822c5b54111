import type { FastifyInstance } from 'fastify';
import { InputError } from '../../errors.js';
import type { OnlineFeaturesResponse } from '../../online/types.js';
import type { Model } from '../../training/model.js';
import type { AppDependencies } from '../app.js';
import { HttpError } from '../http-errors.js';
import { topContributions } from '../model-scorer.js';
import { toOnlineRequest } from '../online-serving.js';
import { type PredictBody, predictBody } from '../request-schemas.js';
import { type PredictResponse, predictJson } from '../response-json.js';
import { predictResponse } from '../response-schemas.js';

/**
 * `POST /predict`: the online features of each entity row (as `/get-online-features`
 * returns them; by default the model's feature service), the model's probability for each
 * row, and with `top_k` each row's largest TreeSHAP contributions (log-odds). A row none of
 * whose model features were found gets a null probability.
 */
export function registerPredictRoute(app: FastifyInstance, deps: AppDependencies): void {
  app.post<{ Body: PredictBody }>(
    '/predict',
    {
      schema: { body: predictBody, response: { 200: predictResponse } },
      serializerCompiler: () => predictJson,
    },
    async (request): Promise<PredictResponse> => {
      const loaded = deps.scorer.current;
      if (!loaded) {
        throw new HttpError(
          503,
          `Failed to predict: ${deps.scorer.lastError ?? 'no model is loaded yet'}`,
        );
      }
      const body = request.body;
      const online = await deps.online.getOnlineFeatures(
        toOnlineRequest(body, deps.predictFeatures),
      );
      const { model } = loaded;
      const { columns, found } = modelInputs(model, online);
      const probabilities: (number | null)[] = Array.from(model.predictProba(columns));
      for (let r = 0; r < probabilities.length; r++) if (!found[r]) probabilities[r] = null;
      return {
        metadata: {
          feature_names: online.metadata.feature_names,
          model: {
            path: loaded.path,
            modified_at: loaded.modifiedAt.toISOString(),
            features: model.featureNames,
          },
        },
        results: online.results,
        probabilities,
        ...(body.top_k
          ? {
              contributions: topContributions(
                model.predictContrib(columns),
                model.featureNames,
                body.top_k,
              ),
            }
          : {}),
      };
    },
  );
}

/**
 * The model's input columns from an online response: each model feature is the response
 * column of that name, or the one `<view>__<name>` column (full feature names); NULL and
 * missing values are NaN, as in training. `found[r]`: some model feature of row r was found.
 */
export function modelInputs(
  model: Model,
  online: OnlineFeaturesResponse,
): { columns: Float64Array[]; found: boolean[] } {
  const names = online.metadata.feature_names;
  const rows = online.results[0]?.values.length ?? 0;
  const found = new Array<boolean>(rows).fill(false);
  const missing: string[] = [];
  const columns = model.featureNames.map((feature) => {
    let index = names.indexOf(feature);
    if (index < 0) {
      const suffixed = names.flatMap((n, i) => (n.endsWith(`__${feature}`) ? [i] : []));
      if (suffixed.length === 1) index = suffixed[0]!;
    }
    const out = new Float64Array(rows);
    if (index < 0) {
      missing.push(feature);
      return out;
    }
    const { values, statuses } = online.results[index]!;
    for (let r = 0; r < rows; r++) {
      out[r] = toNumber(values[r]);
      if (statuses[r] !== 'NOT_FOUND') found[r] = true;
    }
    return out;
  });
  if (missing.length > 0) {
    throw new InputError(
      `the model needs features the request does not give: ${missing.join(', ')} (model features: ${model.featureNames.join(', ')})`,
    );
  }
  return { columns, found };
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}
