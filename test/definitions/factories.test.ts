import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defineConfig,
  entity,
  featureService,
  featureView,
  fileSource,
} from '../../src/definitions/factories.js';
import { isValidName } from '../../src/definitions/names.js';
import { DefinitionError } from '../../src/errors.js';

const customer = entity({ name: 'customer', joinKeys: ['customer_id'], valueType: 'int64' });
const source = fileSource({
  path: 'data/customer_rfm_features.parquet',
  timestampField: 'event_timestamp',
});

describe('factories', () => {
  it('build plain data objects', () => {
    const view = featureView({
      name: 'rfm',
      entities: [customer, 'store'],
      schema: { recency_days: 'int64', monetary: 'float64', segment: 'string' },
      source,
      ttl: '12h',
    });
    expect(view).toEqual({
      kind: 'featureView',
      name: 'rfm',
      entities: ['customer', 'store'],
      features: [
        { name: 'recency_days', type: 'int64' },
        { name: 'monetary', type: 'float64' },
        { name: 'segment', type: 'string' },
      ],
      source: {
        kind: 'fileSource',
        name: 'customer_rfm_features',
        path: 'data/customer_rfm_features.parquet',
        format: 'parquet',
        timestampField: 'event_timestamp',
      },
      ttlSeconds: 43200,
    });
    expect(Object.getPrototypeOf(view)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(fileSource({ path: 'x/events.CSV', timestampField: 'ts' }).format).toBe('csv');
    expect(entity({ name: 'pair', joinKeys: 'a', valueType: 'string' }).joinKeys).toEqual(['a']);
    expect(featureService({ name: 's', features: [view, 'other:x'] }).features).toEqual([
      'rfm:*',
      'other:x',
    ]);
    expect(defineConfig({ project: 'retail' })).toEqual({ project: 'retail' });
  });

  it('refuse names that are not SQL identifiers', () => {
    expect(() => entity({ name: 'bad-name', joinKeys: ['id'], valueType: 'int64' })).toThrow(
      'Failed to define entity: invalid name "bad-name" (use letters, digits and underscores, not starting with a digit)',
    );
    expect(() =>
      featureView({ name: 'v', entities: [customer], schema: { '1st': 'int64' }, source }),
    ).toThrow('Failed to define feature of view "v": invalid name "1st"');
    expect(() =>
      entity({ name: 'customer', joinKeys: ['customer id'], valueType: 'int64' }),
    ).toThrow(/join key of entity "customer": invalid name "customer id"/);
    expect(() => defineConfig({ project: 'my project' })).toThrow(DefinitionError);
    const badTtl = () =>
      featureView({ name: 'v', entities: [customer], schema: {}, source, ttl: '3mo' });
    expect(badTtl).toThrow(DefinitionError);
    expect(badTtl).toThrow('Failed to parse ttl of feature view "v": "3mo" is not a duration');
    fc.assert(
      fc.property(fc.string(), (s) => isValidName(s) === /^[A-Za-z_][A-Za-z0-9_]*$/.test(s)),
    );
  });

  it('refuse unknown value types and empty keys', () => {
    expect(() =>
      featureView({
        name: 'v',
        entities: [customer],
        schema: { x: 'int32' as never },
        source,
      }),
    ).toThrow(
      'Failed to define feature "x" of view "v": unknown type "int32" (expected one of int64, float64, string, bool, timestamp)',
    );
    expect(() => entity({ name: 'e', joinKeys: [], valueType: 'int64' })).toThrow(
      'Failed to define entity "e": it needs at least one join key',
    );
  });
});
