import { join } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import { resolveFrom } from '../config/paths.js';
import type { OnlineStoreConfig, RepoConfig } from '../definitions/types.js';
import { DefinitionError } from '../errors.js';
import type { OnlineStore } from './online-store.js';

/** The environment variable that points online reads and `materialize` at a store. */
export const ONLINE_URL_ENV = 'DUCKFEAT_ONLINE_URL';

export interface OpenOnlineStoreOptions {
  paths: Pick<ProjectPaths, 'repo'>;
  /** The repository's config (its `project` and `onlineStore`). */
  config: Pick<RepoConfig, 'project' | 'onlineStore'>;
  /** Overrides `DUCKFEAT_ONLINE_URL` and the config: a `redis://` URL or `embedded`. */
  url?: string;
  /** Overrides the Redis key prefix (tests). */
  keyPrefix?: string;
}

/**
 * Open the online store: `url`, else `DUCKFEAT_ONLINE_URL` (`redis://…`), else the config's
 * `onlineStore`, else the embedded store at `<repo>/online/online.sqlite`. A Redis URL may
 * carry the key prefix as `?prefix=name` (default: the config's `keyPrefix`, else `duckfeat`).
 *
 * @example
 * const store = await openOnlineStore({ paths, config: repo.config });
 */
export async function openOnlineStore(options: OpenOnlineStoreOptions): Promise<OnlineStore> {
  const setting =
    options.url ?? (process.env[ONLINE_URL_ENV] || undefined) ?? options.config.onlineStore;
  const config = parseSetting(setting);
  if (config.type === 'redis') {
    const { url, prefix: fromUrl } = splitPrefix(config.url);
    const prefix = options.keyPrefix ?? fromUrl ?? config.keyPrefix;
    return openOnlineStoreAt({
      type: 'redis',
      url,
      project: options.config.project,
      ...(prefix !== undefined ? { keyPrefix: prefix } : {}),
    });
  }
  const folder = resolveFrom(options.paths.repo, config.path ?? 'online');
  return openOnlineStoreAt({ type: 'embedded', path: join(folder, 'online.sqlite') });
}

function parseSetting(setting: string | OnlineStoreConfig | undefined): OnlineStoreConfig {
  if (setting === undefined || setting === 'embedded') return { type: 'embedded' };
  if (typeof setting === 'string') {
    if (/^rediss?:\/\//.test(setting)) return { type: 'redis', url: setting };
    throw new DefinitionError(
      `Failed to open the online store: "${setting.replace(/\/\/[^@/]*@/, '//***@')}" is neither a redis:// URL nor "embedded"`,
    );
  }
  if (setting.type === 'redis' && !/^rediss?:\/\//.test(setting.url ?? '')) {
    throw new DefinitionError(
      'Failed to open the online store: onlineStore.url must be a redis:// URL',
    );
  }
  return setting;
}

/**
 * Where a store is, as plain data: what a `duckfeat worker` needs to open the same store as
 * the run that queued a materialize task (a Redis URL keeps its password: it travels in the
 * task's job data, which is removed from the queue when the run ends).
 */
export type OnlineStoreLocation =
  | { readonly type: 'embedded'; readonly path: string }
  | {
      readonly type: 'redis';
      readonly url: string;
      readonly project: string;
      readonly keyPrefix?: string;
    };

/** Open the store at a location (see {@link OnlineStore.location}). */
export async function openOnlineStoreAt(location: OnlineStoreLocation): Promise<OnlineStore> {
  if (location.type === 'redis') {
    const { RedisOnlineStore } = await import('./redis-store.js');
    return RedisOnlineStore.open({
      url: location.url,
      project: location.project,
      ...(location.keyPrefix !== undefined ? { keyPrefix: location.keyPrefix } : {}),
    });
  }
  const { EmbeddedOnlineStore } = await import('./embedded-store.js');
  return EmbeddedOnlineStore.open({ path: location.path });
}

/** Take duckfeat's own `?prefix=name` parameter out of a Redis URL before ioredis sees it. */
function splitPrefix(url: string): { url: string; prefix?: string } {
  const parsed = new URL(url);
  const prefix = parsed.searchParams.get('prefix');
  if (prefix === null) return { url };
  parsed.searchParams.delete('prefix');
  return { url: parsed.toString(), prefix };
}
