import { InputError } from '../errors.js';
import type { OnlineFeatureStore } from '../online/online-feature-store.js';
import type { OnlineFeaturesRequest } from '../online/types.js';
import type { OnlineFeaturesBody } from './request-schemas.js';

/** What the server needs of an `OnlineFeatureStore`. */
export type OnlineServing = Pick<OnlineFeatureStore, 'getOnlineFeatures' | 'pushOnline' | 'store'>;

/** Feast's request body → the library's request (exactly one of `features`, `feature_service`). */
export function toOnlineRequest(
  body: OnlineFeaturesBody,
  defaultFeatures?: string,
): OnlineFeaturesRequest {
  if (body.features !== undefined && body.feature_service !== undefined) {
    throw new InputError('give "features" or "feature_service", not both');
  }
  const request = {
    entities: body.entities,
    fullFeatureNames: body.full_feature_names === true,
  };
  if (body.features !== undefined) return { ...request, features: body.features };
  const service = body.feature_service ?? defaultFeatures;
  if (service === undefined) {
    throw new InputError('the body has neither "features" nor "feature_service"');
  }
  return { ...request, featureService: service };
}
