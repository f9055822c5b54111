/**
 * JSON schemas of the request bodies, in Feast's field names. Fastify validates each body
 * with them before a handler runs (types not coerced: a string where a number belongs is an
 * error), so a handler sees well-formed input and a malformed one is a 400 naming the field.
 */

// Key values are checked against the entity's type by the online store, which names the key,
// the row and the expected type; here only that each key has a non-empty array.
const entityValues = { type: 'array', minItems: 1 } as const;

const entities = {
  type: 'object',
  minProperties: 1,
  additionalProperties: entityValues,
} as const;

const featureRefs = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } };

/** `POST /get-online-features`: `{ features | feature_service, entities, full_feature_names? }`. */
export const onlineFeaturesBody = {
  type: 'object',
  required: ['entities'],
  properties: {
    features: featureRefs,
    feature_service: { type: 'string', minLength: 1 },
    entities,
    full_feature_names: { type: 'boolean' },
  },
} as const;

/** `POST /predict`: the online features request (features default to the model's) and `top_k`. */
export const predictBody = {
  type: 'object',
  required: ['entities'],
  properties: {
    ...onlineFeaturesBody.properties,
    top_k: { type: 'integer', minimum: 0, maximum: 1000 },
  },
} as const;

/** `POST /push`: `{ push_source_name, df: { column: [values] }, to? }` as Feast takes it. */
export const pushBody = {
  type: 'object',
  required: ['push_source_name', 'df'],
  properties: {
    push_source_name: { type: 'string', minLength: 1 },
    df: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'array' },
    },
    to: { type: 'string', enum: ['online', 'offline', 'online_and_offline'] },
    allow_registry_cache: { type: 'boolean' },
    transform_on_write: { type: 'boolean' },
  },
} as const;

export interface OnlineFeaturesBody {
  features?: string[];
  feature_service?: string;
  /** Join keys, and the request columns of on-demand views (Feast passes them here too). */
  entities: Record<string, (number | string | boolean | null)[]>;
  full_feature_names?: boolean;
}

export interface PredictBody extends OnlineFeaturesBody {
  top_k?: number;
}

export type PushTarget = 'online' | 'offline' | 'online_and_offline';

export interface PushBody {
  push_source_name: string;
  df: Record<string, unknown[]>;
  to?: PushTarget;
}
