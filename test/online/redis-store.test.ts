import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeatureDefinition } from '../../src/definitions/types.js';
import { DuckfeatError, OnlineStoreUnavailableError } from '../../src/errors.js';
import type { OnlineViewLayout } from '../../src/online/online-store.js';
import { RedisOnlineStore } from '../../src/online/redis-store.js';
import { REDIS_URL, randomPrefix } from './helpers.js';
import { freePort, sleep, startRedis, stopChild } from './redis-process.js';

const PASSWORD = 's3cret-pass';
const view: OnlineViewLayout = {
  name: 'stats',
  joinKeys: ['customer_id'],
  features: [
    { name: 'n_orders', type: 'int64' },
    { name: 'city', type: 'string' },
  ] as FeatureDefinition[],
};

describe('RedisOnlineStore without a Redis', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('fails with a clear error on a closed port, without hanging or crashing, and recovers when Redis comes up', async () => {
    const port = await freePort();
    const url = `redis://:${PASSWORD}@127.0.0.1:${port}`;
    // Opening does not fail: a server starts before its Redis does.
    const store = await RedisOnlineStore.open({
      url,
      project: 'p',
      keyPrefix: 'closed-port-test',
      connectTimeoutMs: 300,
      commandTimeoutMs: 500,
    });
    cleanup.push(() => store.close());
    expect(store.description).not.toContain(PASSWORD);

    const read = () => store.read([{ view, features: ['n_orders', 'city'], keys: ['1', '2'] }]);
    for (const attempt of [read, () => store.ping(), () => store.beginWrite(view)]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OnlineStoreUnavailableError);
      const message = (error as Error).message;
      expect(message).toMatch(
        new RegExp(
          `^Failed to (read|reach) the online store: redis redis://.*127\\.0\\.0\\.1:${port} .* is unreachable \\(.+\\)$`,
        ),
      );
      expect(message).toContain('ECONNREFUSED');
      expect(message).not.toContain(PASSWORD);
    }
    // Still failing the same way a while later (reconnect attempts go on in the background).
    await sleep(300);
    await expect(read()).rejects.toBeInstanceOf(OnlineStoreUnavailableError);

    const redis = await startRedis(port, ['--requirepass', PASSWORD]);
    cleanup.push(() => stopChild(redis));
    let pinged = false;
    for (let i = 0; i < 50 && !pinged; i++) {
      pinged = await store.ping().then(
        () => true,
        () => false,
      );
      if (!pinged) await sleep(100);
    }
    expect(pinged).toBe(true);
    const writer = await store.beginWrite(view);
    await writer.write([
      { key: '1', eventTimestampUs: 1_700_000_000_000_000, values: [3, 'Oslo'] },
    ]);
    await writer.commit();
    const [found] = await read();
    expect(found).toEqual([
      { eventTimestampUs: 1_700_000_000_000_000, values: [3, 'Oslo'] },
      undefined,
    ]);
  }, 20_000);
});

describe('RedisOnlineStore reads', () => {
  it("reads many keys in one call, and reports Redis's own refusal as such", async () => {
    const keyPrefix = randomPrefix();
    const store = await RedisOnlineStore.open({ url: REDIS_URL, project: 'p', keyPrefix });
    const raw = new Redis(REDIS_URL);
    try {
      const writer = await store.beginWrite(view);
      const rows = Array.from({ length: 250 }, (_, i) => ({
        key: String(i),
        eventTimestampUs: 1_700_000_000_000_000 + i,
        values: [i, i % 2 ? null : `city ${i}`],
      }));
      await writer.write(rows);
      await writer.commit();
      const keys = [...rows.map((r) => r.key).reverse(), 'absent', '7'];
      const [found] = await store.read([{ view, features: ['city', 'n_orders'], keys }]);
      expect(found).toEqual(
        keys.map((key) => {
          const row = rows[Number(key)];
          return row === undefined
            ? undefined
            : { eventTimestampUs: row.eventTimestampUs, values: [row.values[1], row.values[0]] };
        }),
      );

      // A key of another type where a hash belongs: Redis answers WRONGTYPE, the store is up.
      await raw.set(`${keyPrefix}:p:customer_id:9`, 'not a hash');
      const error = await store.read([{ view, features: ['n_orders'], keys: ['1', '9'] }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DuckfeatError);
      expect(error).not.toBeInstanceOf(OnlineStoreUnavailableError);
      expect((error as Error).message).toMatch(
        /^Failed to read the online store: Redis answered WRONGTYPE/,
      );
    } finally {
      await store.clear();
      raw.disconnect();
      await store.close();
    }
  });
});

describe('RedisOnlineStore rows', () => {
  it('round-trips every value type, and reads a feature the stored row lacks as NULL', async () => {
    const store = await RedisOnlineStore.open({
      url: REDIS_URL,
      project: 'p',
      keyPrefix: randomPrefix(),
    });
    const typed: OnlineViewLayout = {
      name: 'typed',
      joinKeys: ['id'],
      features: [
        { name: 'amount', type: 'float64' },
        { name: 'count', type: 'int64' },
        { name: 'label', type: 'string' },
        { name: 'flag', type: 'bool' },
        { name: 'seen_at', type: 'timestamp' },
        { name: 'constructor', type: 'float64' },
      ] as FeatureDefinition[],
    };
    const rows = [
      [1.5, 3, 'plain', true, 1_700_000_000_123_456, 0.1],
      [Number.NaN, '12345678901234567890', 'quote " back\\slash \u00e9 \ud83d\ude00', false, 0, -0],
      [Number.POSITIVE_INFINITY, -9_007_199_254_740_991, '', null, null, 1e-300],
      [Number.NEGATIVE_INFINITY, null, null, false, -1, null],
    ];
    try {
      const writer = await store.beginWrite(typed);
      await writer.write(
        rows.map((values, i) => ({ key: String(i), eventTimestampUs: 1000 + i, values })),
      );
      await writer.commit();
      const names = typed.features.map((f) => f.name);
      const [found] = await store.read([
        { view: typed, features: names, keys: rows.map((_, i) => String(i)) },
      ]);
      expect(found).toEqual(
        rows.map((values, i) => ({
          eventTimestampUs: 1000 + i,
          values: values.map((v) => (Object.is(v, -0) ? 0 : v)),
        })),
      );
      // `apply` added features: rows written before hold no value for them (not even one an
      // object inherits, like toString).
      const grown: OnlineViewLayout = {
        ...typed,
        features: [
          { name: 'added', type: 'int64' },
          { name: 'toString', type: 'string' },
          ...typed.features,
        ] as FeatureDefinition[],
      };
      const [again] = await store.read([
        { view: grown, features: ['added', 'toString', 'label'], keys: ['0'] },
      ]);
      expect(again).toEqual([{ eventTimestampUs: 1000, values: [null, null, 'plain'] }]);
    } finally {
      await store.clear();
      await store.close();
    }
  });
});
