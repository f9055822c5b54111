import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';

// Timestamps stay text (`YYYY-MM-DD HH:MM:SS`), as with the pg driver's setup: a JS Date
// would shift naive UTC values by the local time zone.
const TEXT_TIMESTAMPS = { 1114: (value: string) => value, 1184: (value: string) => value };

/**
 * A kysely dialect over PGlite (Postgres in WebAssembly). PGlite is one connection, so the
 * driver hands it out to one user at a time: a transaction cannot interleave with other
 * queries of the same process.
 *
 * @example new Kysely<DB>({ dialect: new PGliteDialect(await PGlite.create(dir)) })
 */
export class PGliteDialect implements Dialect {
  /** `schema`: set as the search path whenever the connection is handed out. */
  constructor(
    private readonly pglite: PGlite,
    private readonly schema?: string,
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.schema);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  readonly #connection: PGliteConnection;

  constructor(
    pglite: PGlite,
    private readonly schema?: string,
  ) {
    this.#connection = new PGliteConnection(pglite);
  }
  async init(): Promise<void> {
    // Registry timestamps (`now()` into timestamp columns) are UTC whatever the host's zone.
    await this.#connection.executeQuery(CompiledQuery.raw("set TimeZone to 'UTC'"));
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#release = release;
    // One PGlite may serve several registries (tests): each brings its own search path.
    if (this.schema) {
      await this.#connection.executeQuery(
        CompiledQuery.raw(`set search_path to "${this.schema.replaceAll('"', '""')}"`),
      );
    }
    return this.#connection;
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
  // The PGlite instance belongs to whoever created it; closing it is theirs to do.
  async destroy(): Promise<void> {}
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(compiled.sql, [...compiled.parameters], {
      parsers: TEXT_TIMESTAMPS,
    });
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined
        ? { numAffectedRows: BigInt(result.affectedRows) }
        : {}),
    };
  }
  // biome-ignore lint/correctness/useYield: streaming is not supported, said by throwing.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect: streaming queries are not supported');
  }
}
