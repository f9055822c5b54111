import { afterEach, describe, expect, it } from 'vitest';
import type { FeatureDefinition } from '../../src/definitions/types.js';
import { OnlineStoreUnavailableError } from '../../src/errors.js';
import type { OnlineViewLayout } from '../../src/online/online-store.js';
import { RedisOnlineStore } from '../../src/online/redis-store.js';
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
