import fc from 'fast-check';
// Fastify's own serializer, which wrote these responses before response-json.ts.
import fastJson from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import type { FeatureStatus, OnlineFeaturesResponse, OnlineValue } from '../../src/online/types.js';
import { isoFromMicros } from '../../src/online/value-types.js';
import {
  onlineFeaturesJson,
  type PredictResponse,
  predictJson,
} from '../../src/serving/response-json.js';
import { onlineFeaturesResponse, predictResponse } from '../../src/serving/response-schemas.js';

const oldOnline = fastJson(onlineFeaturesResponse as object);
const oldPredict = fastJson(predictResponse as object);

const STATUSES: FeatureStatus[] = ['PRESENT', 'NULL_VALUE', 'NOT_FOUND', 'OUTSIDE_MAX_AGE'];
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  // Lone surrogates, quotes, backslashes and controls: what JSON escapes.
  fc.constantFrom('\ud800', 'a\udfffb', '"', '\\', '\n\t\u0000\u001f', 'é ü 日本', '\u2028'),
  fc.string({ minLength: 60, maxLength: 200 }),
);
const number = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, 1e21, -1e-7, Number.MAX_SAFE_INTEGER, 5e-324),
);
const value: fc.Arbitrary<OnlineValue> = fc.oneof(number, text, fc.boolean(), fc.constant(null));
const timestamp = fc.oneof(
  fc.constant('1970-01-01T00:00:00Z'),
  // Microseconds within about ±250 years of the epoch.
  fc
    .tuple(
      fc.integer({ min: -8_000_000, max: 8_000_000 }),
      fc.integer({ min: 0, max: 999_999_999 }),
    )
    .map(([high, low]) => isoFromMicros(high * 1e9 + low)),
);

/** A response as readOnlineFeatures shapes it: join key columns, then feature columns. */
const response: fc.Arbitrary<OnlineFeaturesResponse> = fc
  .record({ rows: fc.integer({ min: 0, max: 12 }), keys: fc.integer({ min: 1, max: 2 }) })
  .chain(({ rows, keys }) => {
    const keyColumn = fc.record({
      // Composite keys: a string key and an int64 key.
      values: fc.array(fc.oneof(text, fc.integer()), { minLength: rows, maxLength: rows }),
      statuses: fc.constant(new Array<FeatureStatus>(rows).fill('PRESENT')),
      event_timestamps: fc.constant(new Array<string>(rows).fill('1970-01-01T00:00:00Z')),
    });
    // Columns of one view share their rows' timestamps (and often their statuses).
    const sharedTimestamps: fc.Arbitrary<string[]> = fc.array(timestamp, {
      minLength: rows,
      maxLength: rows,
    });
    const statuses = fc.array(fc.constantFrom(...STATUSES), { minLength: rows, maxLength: rows });
    const featureColumns = fc
      .tuple(sharedTimestamps, statuses, fc.integer({ min: 0, max: 6 }))
      .chain(([ts, st, count]) =>
        fc.array(
          fc.record({
            values: fc.array(value, { minLength: rows, maxLength: rows }),
            statuses: fc.oneof(fc.constant(st), statuses),
            event_timestamps: fc.oneof(
              fc.constant(ts),
              fc.constant([...ts]),
              sharedTimestamps,
            ) as fc.Arbitrary<string[]>,
          }),
          { minLength: count, maxLength: count },
        ),
      );
    return fc
      .tuple(fc.array(keyColumn, { minLength: keys, maxLength: keys }), featureColumns)
      .chain(([keyColumns, features]) =>
        fc.array(text, { minLength: keyColumns.length + features.length }).map((names) => ({
          metadata: { feature_names: names.slice(0, keyColumns.length + features.length) },
          results: [...keyColumns, ...features],
        })),
      );
  });

describe('response JSON', () => {
  it('writes online responses exactly as JSON.stringify and the schema serializer did', () => {
    fc.assert(
      fc.property(response, (r) => {
        const json = onlineFeaturesJson(r);
        expect(json).toBe(JSON.stringify(r));
        expect(json).toBe(oldOnline(r));
      }),
      { numRuns: 500 },
    );
  });

  it('writes /predict responses exactly as before, with and without contributions', () => {
    const predict = response.chain((r) => {
      const rows = r.results[0]?.values.length ?? 0;
      return fc.record({
        metadata: fc.record({
          feature_names: fc.constant(r.metadata.feature_names),
          model: fc.record({
            path: text,
            modified_at: fc.constant('2026-12-02T18:00:00.123Z'),
            features: fc.array(text),
          }),
        }),
        results: fc.constant(r.results),
        probabilities: fc.array(
          fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)),
          {
            minLength: rows,
            maxLength: rows,
          },
        ),
        contributions: fc.option(
          fc.array(
            fc.record({
              bias: fc.double({ noNaN: true }),
              top: fc.array(fc.record({ feature: text, value: fc.double({ noNaN: true }) })),
            }),
            { minLength: rows, maxLength: rows },
          ),
          { nil: undefined },
        ),
      });
    });
    fc.assert(
      fc.property(predict, (p) => {
        const { contributions, ...rest } = p;
        const body: PredictResponse =
          contributions === undefined ? rest : { ...rest, contributions };
        const json = predictJson(body);
        expect(json).toBe(JSON.stringify(body));
        expect(json).toBe(oldPredict(body));
      }),
      { numRuns: 300 },
    );
  });

  it('reuses nothing it should not: equal statuses of different lengths, sparse arrays', () => {
    const r: OnlineFeaturesResponse = {
      metadata: { feature_names: ['k', 'a', 'b'] },
      results: [
        { values: [1, 2], statuses: ['PRESENT', 'PRESENT'], event_timestamps: ['x', 'y'] },
        { values: [null, 'é'], statuses: ['PRESENT', 'NOT_FOUND'], event_timestamps: ['x', 'y'] },
        { values: [true, false], statuses: ['PRESENT', 'NOT_FOUND'], event_timestamps: ['x', 'z'] },
      ],
    };
    expect(onlineFeaturesJson(r)).toBe(JSON.stringify(r));
    const long: OnlineFeaturesResponse = {
      metadata: { feature_names: ['k'] },
      results: [
        {
          values: Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? null : i / 7)),
          statuses: new Array(20).fill('NULL_VALUE'),
          event_timestamps: new Array(20).fill('1970-01-01T00:00:00Z'),
        },
      ],
    };
    expect(onlineFeaturesJson(long)).toBe(JSON.stringify(long));
  });
});
