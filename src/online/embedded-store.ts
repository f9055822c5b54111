import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage, OnlineStoreUnavailableError } from '../errors.js';
import { quoteIdentifier as q } from '../sql/identifiers.js';
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

const KEY = '__entity_key';
const TS = '__event_ts_us';

const AFFINITY = {
  int64: 'INTEGER',
  float64: 'REAL',
  string: 'TEXT',
  bool: 'INTEGER',
  timestamp: 'INTEGER',
} as const;

type Statement = Database.Statement<unknown[], unknown>;

/**
 * The embedded online store: one SQLite file (better-sqlite3, WAL mode) under the feature
 * repository, one table per feature view keyed by the encoded entity key. Chosen over a
 * DuckDB file by measurement (BENCHMARKS.md): point reads in microseconds, and readers in
 * other processes (the feature server) keep reading while `materialize` writes. A
 * materialize run of a view is one transaction: readers see the previous run's rows until
 * it commits, and a run killed half-way leaves them as they were.
 *
 * @example
 * const store = EmbeddedOnlineStore.open({ path: 'feature_store/online/online.sqlite' });
 */
export class EmbeddedOnlineStore implements OnlineStore {
  readonly description: string;
  readonly location: OnlineStoreLocation;
  readonly #db: Database.Database;
  readonly #reads = new Map<string, Statement | null>();

  private constructor(path: string, db: Database.Database) {
    this.description = `embedded ${path}`;
    this.location = { type: 'embedded', path: resolve(path) };
    this.#db = db;
  }

  /** Open (or create) the store's file. */
  static open(options: { path: string }): EmbeddedOnlineStore {
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      const db = new Database(options.path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      return new EmbeddedOnlineStore(options.path, db);
    } catch (error) {
      throw new OnlineStoreUnavailableError(
        `Failed to open the online store: ${options.path} cannot be opened (${errorMessage(error)})`,
        { cause: error },
      );
    }
  }

  async beginWrite(view: OnlineViewLayout): Promise<OnlineViewWriter> {
    const db = this.#db;
    const table = tableName(view.name);
    const columns = [KEY, TS, ...view.features.map((f) => f.name)];
    await this.#beginImmediate();
    this.#guard('write', () => {
      try {
        createTable();
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    });
    function createTable() {
      const existing = (db.pragma(`table_info(${q(table)})`) as { name: string }[]).map(
        (c) => c.name,
      );
      if (existing.length > 0 && existing.join('\u0000') !== columns.join('\u0000')) {
        // The view's features changed since the last run: its old rows cannot be kept.
        db.exec(`DROP TABLE ${q(table)}`);
      }
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${q(table)} (${q(KEY)} TEXT PRIMARY KEY, ${q(TS)} INTEGER NOT NULL${view.features
          .map((f) => `, ${q(f.name)} ${AFFINITY[f.type]}`)
          .join('')}) WITHOUT ROWID`,
      );
    }
    this.#reads.clear();
    const insert = db.prepare(
      `INSERT OR REPLACE INTO ${q(table)} VALUES (${columns.map(() => '?').join(', ')})`,
    );
    const bools = view.features.map((f) => f.type === 'bool');
    const writeRows = db.transaction((rows: readonly OnlineRow[]) => {
      const args: unknown[] = new Array(columns.length);
      for (const row of rows) {
        args[0] = row.key;
        args[1] = row.eventTimestampUs;
        for (let i = 0; i < row.values.length; i++) {
          const value = row.values[i];
          args[i + 2] = bools[i] && value !== null ? (value ? 1 : 0) : value;
        }
        insert.run(args);
      }
    });
    let open = true;
    const finish = (sql: string) => {
      if (!open) return;
      open = false;
      this.#guard('write', () => db.exec(sql));
    };
    return {
      write: async (rows) => {
        // Inside the run's transaction, `db.transaction` is a savepoint: a batch is all or nothing.
        this.#guard('write', () => writeRows(rows));
      },
      commit: async () => finish('COMMIT'),
      abort: async () => finish('ROLLBACK'),
    };
  }

  async read(reads: readonly OnlineViewRead[]): Promise<(StoredFeatures | undefined)[][]> {
    return reads.map((read) => {
      const statement = this.#readStatement(read);
      const bools = read.features.map(
        (name) => read.view.features.find((f) => f.name === name)?.type === 'bool',
      );
      return read.keys.map((key) => {
        if (!statement) return undefined;
        const row = this.#guard('read', () => statement.get(key)) as StoredValue[] | undefined;
        if (!row) return undefined;
        const values = row.slice(1);
        for (let i = 0; i < values.length; i++) {
          if (bools[i] && values[i] !== null) values[i] = values[i] === 1;
        }
        return { eventTimestampUs: row[0] as number, values };
      });
    });
  }

  async ping(): Promise<void> {
    this.#guard('read', () => this.#db.prepare('SELECT 1').get());
  }

  async clear(views?: readonly OnlineViewLayout[]): Promise<void> {
    const names =
      views?.map((v) => tableName(v.name)) ??
      (
        this.#db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'fv\\_%' ESCAPE '\\'",
          )
          .all() as { name: string }[]
      ).map((t) => t.name);
    this.#guard('write', () => {
      for (const name of names) this.#db.exec(`DROP TABLE IF EXISTS ${q(name)}`);
    });
    this.#reads.clear();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** The prepared read of a view's features; null when the table or a column is missing. */
  #readStatement(read: OnlineViewRead): Statement | null {
    const id = `${read.view.name}\u0000${read.features.join('\u0000')}`;
    let statement = this.#reads.get(id);
    if (statement === undefined || statement === null) {
      try {
        statement = this.#db
          .prepare(
            `SELECT ${[TS, ...read.features].map((c) => q(c)).join(', ')} FROM ${q(tableName(read.view.name))} WHERE ${q(KEY)} = ?`,
          )
          .raw(true);
      } catch (error) {
        if (!/no such (table|column)/.test(errorMessage(error))) {
          throw unavailable('read', error);
        }
        // Not materialized yet (or not since the view changed): nothing found. Not cached,
        // so that rows written later by another process are seen.
        return null;
      }
      this.#reads.set(id, statement);
    }
    return statement;
  }

  /**
   * Take the file's write lock. Another process's view run (a `duckfeat worker`) holds it
   * until it commits: each attempt waits `busy_timeout` (5 s), and attempts repeat, the
   * event loop free between them, for up to 10 minutes.
   */
  async #beginImmediate(): Promise<void> {
    const deadline = Date.now() + 600_000;
    for (;;) {
      try {
        this.#db.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) {
          throw unavailable('write', error);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  #guard<T>(what: 'read' | 'write', fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw unavailable(what, error);
    }
  }
}

function unavailable(what: 'read' | 'write', error: unknown): OnlineStoreUnavailableError {
  return new OnlineStoreUnavailableError(
    `Failed to ${what} the online store: ${errorMessage(error)}`,
    { cause: error },
  );
}

function tableName(view: string): string {
  return `fv_${view}`;
}
