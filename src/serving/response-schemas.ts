/**
 * Response schemas: they document the shape (and the routes' types); the routes write the
 * JSON with the serializers of response-json.ts, faster on this shape than the
 * fast-json-stringify serializers Fastify would compile from them.
 */

const column = {
  type: 'object',
  properties: {
    values: { type: 'array', items: { type: ['number', 'string', 'boolean', 'null'] } },
    statuses: { type: 'array', items: { type: 'string' } },
    event_timestamps: { type: 'array', items: { type: 'string' } },
  },
} as const;

const metadata = {
  type: 'object',
  properties: { feature_names: { type: 'array', items: { type: 'string' } } },
} as const;

/** Feast's `GetOnlineFeaturesResponse` JSON: `{ metadata: { feature_names }, results: [column] }`. */
export const onlineFeaturesResponse = {
  type: 'object',
  properties: { metadata, results: { type: 'array', items: column } },
} as const;

/** `/predict`: the online features, then one probability per entity row (and contributions). */
export const predictResponse = {
  type: 'object',
  properties: {
    metadata: {
      type: 'object',
      properties: {
        ...metadata.properties,
        model: {
          type: 'object',
          properties: {
            path: { type: 'string' },
            modified_at: { type: 'string' },
            features: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    results: { type: 'array', items: column },
    probabilities: { type: 'array', items: { type: ['number', 'null'] } },
    contributions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          bias: { type: 'number' },
          top: {
            type: 'array',
            items: {
              type: 'object',
              properties: { feature: { type: 'string' }, value: { type: 'number' } },
            },
          },
        },
      },
    },
  },
} as const;
