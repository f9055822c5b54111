import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedOnlineStore } from '../../src/online/embedded-store.js';
import type { OnlineStore } from '../../src/online/online-store.js';
import { RedisOnlineStore } from '../../src/online/redis-store.js';

/** The shared Redis of this machine (CI starts it); every test uses its own key prefix. */
export const REDIS_URL = process.env['DUCKFEAT_TEST_REDIS_URL'] || 'redis://127.0.0.1:6379';

/** A key prefix no other test uses. */
export function randomPrefix(): string {
  return `duckfeat-test-${randomBytes(6).toString('hex')}`;
}

/** A store under test and how to remove everything it holds. */
export interface StoreUnderTest {
  readonly name: 'embedded' | 'redis';
  open(project: string): Promise<{ store: OnlineStore; dispose(): Promise<void> }>;
}

/** Both online stores: the embedded one in a temp folder, Redis under a random prefix. */
export const STORES: readonly StoreUnderTest[] = [
  {
    name: 'embedded',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'duckfeat-online-'));
      const store = EmbeddedOnlineStore.open({ path: join(dir, 'online.sqlite') });
      return {
        store,
        async dispose() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'redis',
    async open(project) {
      const store = await RedisOnlineStore.open({
        url: REDIS_URL,
        project,
        keyPrefix: randomPrefix(),
      });
      return {
        store,
        async dispose() {
          await store.clear();
          await store.close();
        },
      };
    },
  },
];
