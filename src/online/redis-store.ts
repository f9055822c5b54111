import { Redis } from 'ioredis';
import type { ValueType } from '../definitions/types.js';
import { DuckfeatError, errorMessage, OnlineStoreUnavailableError } from '../errors.js';
import { maskUrl, scrub, urlPassword } from '../util/mask-url.js';
import type {
  OnlineRow,
  OnlineStore,
  OnlineViewLayout,
  OnlineViewRead,
  OnlineViewWriter,
  StoredFeatures,
  StoredValue,
} from './online-store.js';
import type { OnlineStoreLocation } from './open-online-store.js';

export interface RedisOnlineStoreOptions {
  /** `redis://[user:password@]host:port[/db]` */
  url: string;
  /** The project: part of every key, so that projects sharing a Redis never meet. */
  project: string;
  /** First part of every key (default `duckfeat`); tests use a random one. */
  keyPrefix?: string;
  /** A command not answered in this time fails (default 2000 ms). */
  commandTimeoutMs?: number;
  /** A connection attempt not answered in this time fails (default 1000 ms). */
  connectTimeoutMs?: number;
}

/** Rows per `duckfeatSetRows` call of a write. */
const SCRIPT_ROWS = 500;

/**
 * Writes one view's rows: `KEYS` the hashes, `ARGV` the two field names, then each row's
 * timestamp, then each row's JSON. One HSET per hash (a row is never half written); 500
 * rows per call instead of 500 ioredis commands: 2-2.5x faster writes (an ioredis pipeline
 * of 1,000 HSETs costs ~8 us a row in command objects).
 */
const SET_ROWS_LUA = `local n = #KEYS
for i = 1, n do
  redis.call('HSET', KEYS[i], ARGV[1], ARGV[2 + i], ARGV[2], ARGV[2 + n + i])
end
return n`;

/** The connection with the row-writing script defined (`scripts` in its options). */
type RowWriter = Redis & {
  duckfeatSetRows(keyCount: number, ...args: (string | number)[]): Promise<number>;
};

/**
 * The Redis online store. One hash per entity key (`<prefix>:<project>:<join keys>:<key>`)
 * holds, for every view keyed by that entity, its feature timestamp (`<view>:__ts`,
 * microseconds) and its row (`<view>:__row`, a JSON object of feature name → value), so a
 * read of any number of views and entities is one round trip (one HMGET per entity, sent in
 * one write). One field per view rather than per feature: a 100 entities x 50 features read
 * parses 200 replies instead of 5,100 (BENCHMARKS.md, "Online serving"), and a row keyed by
 * feature name stays readable when `apply` adds, drops or reorders features (a feature the
 * row lacks reads as NULL). Each entity's row of a view is written by one HSET: a reader sees
 * all of one run's values for it, never a mix of two runs.
 *
 * Requests fail fast while Redis is down (no offline queue, one retry) with
 * `OnlineStoreUnavailableError`; the client reconnects in the background and requests
 * succeed again once Redis is back.
 *
 * @example
 * const store = await RedisOnlineStore.open({ url: 'redis://127.0.0.1:6379', project: 'retail' });
 */
export class RedisOnlineStore implements OnlineStore {
  readonly description: string;
  readonly location: OnlineStoreLocation;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #password: string | undefined;
  #lastError: Error | undefined;
  /** The socket while reads of this turn of the event loop gather in it (see `#hmgets`). */
  #corked: Redis['stream'] | undefined;
  #bulk: Promise<Redis> | undefined;

  private constructor(redis: Redis, options: RedisOnlineStoreOptions, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#password = urlPassword(options.url);
    this.description = `redis ${maskUrl(options.url)} ${prefix}`;
    this.location = {
      type: 'redis',
      url: options.url,
      project: options.project,
      ...(options.keyPrefix !== undefined ? { keyPrefix: options.keyPrefix } : {}),
    };
    redis.on('error', (error: Error) => {
      this.#lastError = error;
    });
    redis.on('ready', () => {
      this.#lastError = undefined;
    });
  }

  /**
   * Connect (waiting at most the connect timeout for the first attempt). A Redis that is
   * down does not fail here: reads fail with `OnlineStoreUnavailableError` until it is up.
   */
  static async open(options: RedisOnlineStoreOptions): Promise<RedisOnlineStore> {
    const connectTimeout = options.connectTimeoutMs ?? 1000;
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      // Reconnect in the background, at most a second apart, for as long as it takes.
      retryStrategy: (times) => Math.min(times * 100, 1000),
      // Defined here, so that duplicate() connections have it too.
      scripts: { duckfeatSetRows: { lua: SET_ROWS_LUA } },
    });
    const prefix = `${options.keyPrefix ?? 'duckfeat'}:${options.project}:`;
    const store = new RedisOnlineStore(redis, options, prefix);
    await redis.connect().catch((error: Error) => {
      store.#lastError ??= error;
    });
    return store;
  }

  async beginWrite(
    view: OnlineViewLayout,
    options: { bulk?: boolean } = {},
  ): Promise<OnlineViewWriter> {
    await this.ping();
    const redis = options.bulk ? await this.#bulkConnection() : this.#redis;
    const { tsField, rowField } = fieldsOf(view);
    const encodeRow = rowEncoder(view);
    const keyPrefix = this.#hashPrefix(view);
    return {
      write: async (rows: readonly OnlineRow[]) => {
        // Calls of SCRIPT_ROWS rows, two in flight: Redis always has the next one to read.
        const inFlight: Promise<unknown>[] = [];
        for (let from = 0; from < rows.length; from += SCRIPT_ROWS) {
          const to = Math.min(rows.length, from + SCRIPT_ROWS);
          const n = to - from;
          const args = new Array<string | number>(3 * n + 2);
          args[n] = tsField;
          args[n + 1] = rowField;
          for (let i = 0; i < n; i++) {
            const row = rows[from + i]!;
            args[i] = keyPrefix + row.key;
            args[n + 2 + i] = row.eventTimestampUs;
            args[2 * n + 2 + i] = encodeRow(row.values);
          }
          const sent = (redis as RowWriter).duckfeatSetRows(n, ...args).catch((error: Error) => {
            throw this.#failure('write', error);
          });
          sent.catch(() => {}); // awaited below; a later one may fail first
          inFlight.push(sent);
          if (inFlight.length >= 2) await inFlight.shift();
        }
        await Promise.all(inFlight);
      },
      commit: async () => {},
      abort: async () => {},
    };
  }

  /**
   * The connection bulk writes (materialize) go through: its own, so that reads on the
   * main one never queue behind a batch, and with a long command timeout, since a batch of
   * thousands of HSETs can take Redis longer than a read's 2 s on a loaded machine.
   */
  async #bulkConnection(): Promise<Redis> {
    if (!this.#bulk) {
      const bulk = this.#redis.duplicate({ commandTimeout: 120_000 });
      bulk.on('error', (error: Error) => {
        this.#lastError = error;
      });
      this.#bulk = bulk.connect().then(
        () => bulk,
        (error: unknown) => {
          this.#bulk = undefined;
          bulk.disconnect();
          throw this.#unavailable('reach', error);
        },
      );
    }
    return this.#bulk;
  }

  async read(reads: readonly OnlineViewRead[]): Promise<(StoredFeatures | undefined)[][]> {
    // One HMGET per distinct hash: views keyed by the same entity share it. The fields (two
    // per view) are gathered per group of views with the same join keys, not per key, and
    // every hash of a group asks for all of the group's fields.
    const groups = new Map<string, ReadGroup>();
    const located = reads.map((read) => {
      const prefix = this.#hashPrefix(read.view);
      let group = groups.get(prefix);
      if (!group) {
        group = { prefix, fields: [], index: new Map(), keys: new Map() };
        groups.set(prefix, group);
      }
      const { tsField, rowField, types } = fieldsOf(read.view);
      const tsAt = fieldPosition(group, tsField);
      const rowAt = fieldPosition(group, rowField);
      const featureTypes = read.features.map((name) => types.get(name) ?? 'string');
      for (const key of read.keys) if (!group.keys.has(key)) group.keys.set(key, 0);
      return { group, tsAt, rowAt, featureTypes };
    });
    const commands: [string, string[]][] = [];
    for (const group of groups.values()) {
      for (const key of group.keys.keys()) {
        group.keys.set(key, commands.length);
        commands.push([group.prefix + key, group.fields]);
      }
    }
    const replies = await this.#hmgets(commands);
    return reads.map((read, r) => {
      const { group, tsAt, rowAt, featureTypes } = located[r]!;
      return read.keys.map((key) => {
        const reply = replies[group.keys.get(key)!]!;
        const ts = reply[tsAt];
        const text = reply[rowAt];
        // Both are written by one HSET; a hash with only one of them holds no row of this view.
        if (ts === null || ts === undefined || text === null || text === undefined) {
          return undefined;
        }
        return {
          eventTimestampUs: Number(ts),
          values: decodeRow(text, read.features, featureTypes),
        };
      });
    });
  }

  async ping(): Promise<void> {
    if (this.#redis.status !== 'ready') {
      throw this.#unavailable('reach', this.#lastError);
    }
    try {
      await this.#redis.ping();
    } catch (error) {
      throw this.#unavailable('reach', error);
    }
  }

  async clear(views?: readonly OnlineViewLayout[]): Promise<void> {
    await this.ping();
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(
        cursor,
        'MATCH',
        `${escapeGlob(this.#prefix)}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = this.#redis.pipeline();
      if (views === undefined) {
        pipeline.unlink(...keys);
      } else {
        const fields = views.flatMap((v) => {
          const { tsField, rowField } = fieldsOf(v);
          return [tsField, rowField];
        });
        for (const key of keys) pipeline.hdel(key, ...fields);
      }
      await this.#exec(pipeline, 'write');
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    const bulk = this.#bulk;
    this.#bulk = undefined;
    if (bulk) (await bulk.catch(() => undefined))?.disconnect();
    this.#redis.disconnect();
  }

  #hashPrefix(view: OnlineViewLayout): string {
    return `${this.#prefix}${view.joinKeys.join(',')}:`;
  }

  /**
   * The HMGETs of a read, sent as plain commands (not an ioredis pipeline) into the socket
   * corked until `setImmediate`: the commands of every read started in the same turn of the
   * event loop (under load, many requests' reads) leave in one write, and Redis's replies
   * come back in few reads. ioredis's `Pipeline` objects, which did the same before,
   * outlive the requests that make them by a scavenge or two: with one per request, a
   * quarter of the young generation survived each minor GC and every GC paused the server
   * for 5-12 ms, which made the whole p99 at 1,000 req/s (BENCHMARKS.md, "Online serving");
   * plain commands leave under 1% and pauses of about 1 ms.
   */
  async #hmgets(commands: readonly [string, string[]][]): Promise<(string | null)[][]> {
    const redis = this.#redis;
    if (redis.status === 'ready' && this.#corked === undefined) {
      const stream = redis.stream;
      stream.cork();
      this.#corked = stream;
      setImmediate(() => {
        this.#corked = undefined;
        stream.uncork();
      });
    }
    const sent = commands.map(([hash, fields]) => redis.hmget(hash, ...fields));
    try {
      return await Promise.all(sent);
    } catch (error) {
      throw this.#failure('read', error as Error);
    }
  }

  /** Run a pipeline of writes; every command's error is the store's. */
  async #exec(pipeline: ReturnType<Redis['pipeline']>, what: 'write'): Promise<unknown[]> {
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw this.#unavailable(what, error);
    }
    if (!results) throw this.#unavailable(what, this.#lastError);
    return results.map(([error, value]) => {
      if (error) throw this.#failure(what, error);
      return value;
    });
  }

  /** A command's error: Redis's answer (a reply error), or the store is unreachable. */
  #failure(what: 'read' | 'write', error: Error): Error {
    if (error.name === 'ReplyError') {
      return new DuckfeatError(
        `Failed to ${what} the online store: Redis answered ${scrub(error.message, this.#password)}`,
        { cause: error },
      );
    }
    return this.#unavailable(what, error);
  }

  #unavailable(what: string, failure: unknown): OnlineStoreUnavailableError {
    // While disconnected, the connection's own error (ECONNREFUSED, …) says more than the
    // client's refusal to queue a command.
    const error = this.#redis.status !== 'ready' && this.#lastError ? this.#lastError : failure;
    const reason = error
      ? scrub(errorMessage(error), this.#password)
      : `connection ${this.#redis.status}`;
    return new OnlineStoreUnavailableError(
      `Failed to ${what} the online store: ${this.description} is unreachable (${reason})`,
      { cause: error },
    );
  }
}

/** The hashes of one join key set in a read, and the fields asked of each of them. */
interface ReadGroup {
  readonly prefix: string;
  readonly fields: string[];
  readonly index: Map<string, number>;
  /** Key → index of its HMGET reply. */
  readonly keys: Map<string, number>;
}

function fieldPosition(group: ReadGroup, field: string): number {
  let at = group.index.get(field);
  if (at === undefined) {
    at = group.fields.length;
    group.fields.push(field);
    group.index.set(field, at);
  }
  return at;
}

interface ViewFields {
  readonly tsField: string;
  readonly rowField: string;
  readonly types: ReadonlyMap<string, ValueType>;
}

// Hash field names per view layout, built once (layouts are replaced when definitions reload).
const viewFields = new WeakMap<OnlineViewLayout, ViewFields>();

function fieldsOf(view: OnlineViewLayout): ViewFields {
  let fields = viewFields.get(view);
  if (!fields) {
    fields = {
      tsField: `${view.name}:__ts`,
      rowField: `${view.name}:__row`,
      types: new Map(view.features.map((f) => [f.name, f.type])),
    };
    viewFields.set(view, fields);
  }
  return fields;
}

/**
 * A view's row → the JSON text of its `__row` field: `{"<feature>": value, …}` in the
 * layout's order. Values are JSON's own (numbers, strings, booleans, null); the numbers JSON
 * cannot write (NaN, ±Infinity) go as their text, which `decodeRow` turns back into numbers.
 */
function rowEncoder(view: OnlineViewLayout): (values: readonly StoredValue[]) => string {
  const names = view.features.map((f) => `${JSON.stringify(f.name)}:`);
  return (values) => {
    let out = '{';
    for (let i = 0; i < names.length; i++) {
      if (i > 0) out += ',';
      out += names[i]!;
      out += valueJson(values[i] ?? null);
    }
    return `${out}}`;
  };
}

function valueJson(value: StoredValue): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? `${value}` : `"${value}"`;
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return 'null';
  }
}

/**
 * The requested features' values from a `__row` field. A feature the row does not hold
 * (added to the view after the row was written) is NULL; a float64 stored as text is one of
 * the numbers JSON cannot write; an int64 as text has more digits than a double holds.
 */
function decodeRow(
  text: string,
  features: readonly string[],
  types: readonly ValueType[],
): StoredValue[] {
  const row = JSON.parse(text) as Record<string, unknown>;
  const out: StoredValue[] = new Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const value = Object.hasOwn(row, features[i]!) ? row[features[i]!] : null;
    out[i] =
      typeof value === 'string' && types[i] === 'float64'
        ? Number(value)
        : ((value as StoredValue | undefined) ?? null);
  }
  return out;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
