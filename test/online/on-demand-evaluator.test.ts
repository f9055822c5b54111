import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnDemandFeatureViewDefinition } from '../../src/definitions/types.js';
import { createInstance } from '../../src/duckdb/connection.js';
import { InputError } from '../../src/errors.js';
import { OnDemandEvaluator } from '../../src/online/on-demand-evaluator.js';
import { evaluateOnDemand } from '../../src/retrieval/on-demand.js';
import { random } from './synthetic.js';

// The online evaluator (a prepared statement over bound lists) against `evaluateOnDemand`
// (a temporary table, tested equal to the offline retrieval SQL): the same values, in the
// same order, for every value type, NULLs, NaN and infinities, int64 beyond 2^53.
const sources = [
  {
    name: 'v',
    features: [
      { name: 'n', type: 'int64' as const },
      { name: 'x', type: 'float64' as const },
      { name: 's', type: 'string' as const },
      { name: 'b', type: 'bool' as const },
      { name: 't', type: 'timestamp' as const },
    ],
  },
];
const view: OnDemandFeatureViewDefinition = {
  kind: 'onDemandFeatureView',
  name: 'every_type',
  sources: ['v'],
  requestSchema: [
    { name: 'r', type: 'float64' },
    { name: 'at', type: 'timestamp' },
  ],
  features: [
    { name: 'ratio', type: 'float64', expression: 'x / nullif(n, 0)' },
    {
      name: 'rounded',
      type: 'int64',
      expression: 'CASE WHEN isfinite(x) AND abs(x) < 1e12 THEN x * 1000 END',
    },
    { name: 'idiv', type: 'int64', expression: 'n // 7 + n % 7' },
    { name: 'wide', type: 'int64', expression: 'n * 3 + 9007199254740993' },
    { name: 'label', type: 'string', expression: "coalesce(s, '∅') || ':' || CAST(b AS VARCHAR)" },
    { name: 'flag', type: 'bool', expression: 'CASE WHEN b THEN x > r ELSE n IS NULL END' },
    { name: 'gap', type: 'float64', expression: 'date_diff(\'second\', t, "at") / 3600.0' },
    { name: 'day', type: 'timestamp', expression: "date_trunc('day', t) + INTERVAL 90 MINUTE" },
    { name: 'micros', type: 'int64', expression: 'epoch_us(t) - epoch_us("at")' },
    { name: 'text_num', type: 'float64', expression: "CAST(n AS VARCHAR) || '.5'" },
  ],
};

function inputs(rows: number, seed: number): Record<string, unknown[]> {
  const rng = random(seed);
  const maybe = <T>(make: () => T): T | null => (rng() < 0.15 ? null : make());
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, 5e-324];
  return {
    n: Array.from({ length: rows }, () =>
      maybe(() => BigInt(Math.floor((rng() - 0.5) * 2 ** 40)) * (rng() < 0.1 ? 1000n : 1n)),
    ),
    x: Array.from({ length: rows }, () =>
      maybe(() =>
        rng() < 0.05 ? specials[Math.floor(rng() * specials.length)]! : (rng() - 0.5) * 1e6,
      ),
    ),
    s: Array.from({ length: rows }, () =>
      maybe(() => ['', 'a', 'é', "it's", 'x\u0000y'][Math.floor(rng() * 5)]!),
    ),
    b: Array.from({ length: rows }, () => maybe(() => rng() < 0.5)),
    t: Array.from({ length: rows }, () =>
      maybe(() => ({ micros: BigInt(Math.floor(1.7e15 + rng() * 1e13)) })),
    ),
    r: Array.from({ length: rows }, () => maybe(() => (rng() - 0.5) * 1e6)),
    at: Array.from({ length: rows }, () =>
      maybe(() => new Date(1.7e12 + Math.floor(rng() * 1e10))),
    ),
  };
}

describe('OnDemandEvaluator equals evaluateOnDemand', () => {
  let evaluator: OnDemandEvaluator;
  let instance: Awaited<ReturnType<typeof createInstance>>;
  beforeAll(async () => {
    evaluator = await OnDemandEvaluator.open();
    instance = await createInstance();
  });
  afterAll(() => {
    evaluator?.close();
    instance?.closeSync();
  });

  it.each([1, 2, 17, 256, 300])('%i rows, every type', async (rows) => {
    // Repeated: a cached prepared statement gives the same as a fresh one.
    for (const seed of [rows, rows + 1000]) {
      const data = inputs(rows, seed);
      const want = await evaluateOnDemand(instance, view, sources, data);
      const got = await evaluator.evaluate(view, sources, data);
      expect(got).toEqual(want);
      expect(Object.keys(got)).toEqual(view.features.map((f) => f.name));
    }
  });

  it('a subset of features; concurrent requests each get their own rows', async () => {
    const batches = [3, 1, 5, 3, 2].map((rows, i) => inputs(rows, 77 + i));
    const got = await Promise.all(
      batches.map((b) => evaluator.evaluate(view, sources, b, ['label', 'ratio'])),
    );
    for (const [i, batch] of batches.entries()) {
      expect(got[i]).toEqual(
        await evaluateOnDemand(instance, view, sources, batch, ['label', 'ratio']),
      );
    }
  });

  it('names a missing input; reports a failing expression', async () => {
    const data = inputs(2, 5);
    delete data['r'];
    await expect(evaluator.evaluate(view, sources, data)).rejects.toThrow(InputError);
    await expect(evaluator.evaluate(view, sources, data)).rejects.toThrow(/input "r" is missing/);
    const bad = {
      ...view,
      features: [{ name: 'boom', type: 'int64' as const, expression: "CAST('x' AS BIGINT)" }],
    };
    await expect(evaluator.evaluate(bad, sources, inputs(2, 6))).rejects.toThrow(/every_type/);
  });
});
