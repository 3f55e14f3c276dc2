import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import { giveWay } from '../lib/cooperative.js';
import { FifoLock } from './fifo-lock.js';
import type { CachedDatabase } from './statement-cache.js';

/** How long a statement may wait for the file's locks in all (another process's write, a recovery). */
export const LOCK_WAIT_MS = 5000;

/** A lock another connection holds: SQLite's SQLITE_BUSY and its extended codes. */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** A transaction gives the loop a turn between statements once it has run this long (see beginTransaction). */
export const SLICE_MS = 10;

/** The next try after a refused write lock: the next loop turn first, then 1, 2 and at most 4 ms. */
function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => (attempt === 0 ? setImmediate(resolve) : setTimeout(resolve, Math.min(2 ** (attempt - 1), 4))));
}

/**
 * Kysely's SQLite driver begins every transaction with a plain (deferred) `BEGIN`. With several
 * processes writing one file, a deferred transaction that reads and then writes fails at once with
 * SQLITE_BUSY when another process took the write lock in between: the busy timeout does not
 * cover a lock upgrade. `BEGIN IMMEDIATE` takes the write lock at the start (waiting up to the
 * busy timeout), so read-then-write transactions never fail that way. Read-only transactions
 * (`setAccessMode('read only')`, the export's snapshot) keep a deferred `BEGIN`.
 *
 * The one connection is also handed out first come, first served (fifo-lock.ts): the inner
 * driver's own mutex is then never contended.
 *
 * A database on a file also has a second, read-only connection, the reader. While someone holds
 * the main connection (a transaction is open on it), a read on its own goes to the reader instead
 * of waiting its turn: it sees what was last committed, as a read beside an open transaction does
 * on PostgreSQL. Anything else (a write, a transaction of either kind, a streamed read) waits its
 * turn for the main connection. A long transaction (a 50,000-row import) gives the loop a turn
 * between statements every SLICE_MS, so the process keeps answering while it runs: other
 * people's pages read beside it, their writes wait for it.
 *
 * Waiting for the write lock does not stop the process. SQLite's busy timeout waits by sleeping
 * the thread, in steps growing from 1 to 100 ms: with two processes writing one file (WORKERS=2),
 * each such sleep stopped every request of its process, and a process could sleep through many
 * of the other's commits (adds at 50 connections: p99 426-607 ms). So the statements that take the
 * write lock outside a transaction, `BEGIN IMMEDIATE` and a write on its own, try it without the
 * busy timeout, and while another process holds it they try again after the next loop turn, then
 * every 1-4 ms, up to the same 5 s in all. Meanwhile the process answers everything else. A
 * refused attempt changed nothing (no transaction began, the statement did not run), so trying
 * again is safe. Reads and statements inside a transaction keep the busy timeout: in WAL mode they
 * wait only while another connection recovers the log, when the file is first opened.
 */
class ImmediateSqliteDriver implements Driver {
  private readonly turn = new FifoLock();
  private wrapped: { inner: DatabaseConnection; outer: DatabaseConnection } | undefined;
  /** When the open transaction last gave the loop a turn. */
  private sliceStart = 0;

  constructor(
    private readonly inner: SqliteDriver,
    private readonly database: CachedDatabase,
    private readonly sqlite: BetterSqlite3.Database,
    private readonly lockWaitMs: number,
    private readonly reader: CachedDatabase | undefined,
  ) {}

  /**
   * A read-only statement's rows, read at once: on the main connection when nobody holds it, on
   * the reader when someone does (a transaction may be open on it). Undefined when the statement
   * writes, or when someone holds the connection and there is no reader. better-sqlite3 runs a
   * statement synchronously, so nothing can take the connection while it runs: to anyone else,
   * this read took the connection and gave it back in one go. It skips the promises and turns of
   * Kysely's connection hand-over (two locks taken and released, each through a promise), which
   * cost about as much as running the small indexed reads a page makes.
   */
  readNow(sql: string, parameters: readonly unknown[]): unknown[] | undefined {
    const connection = this.turn.free ? this.database : this.reader;
    if (!connection) return undefined;
    const statement = connection.prepare(sql);
    // A write that returns rows (`RETURNING`) is a reader too, and goes the way of writes.
    return statement.reader && statement.readonly ? statement.all(parameters) : undefined;
  }

  init = () => this.inner.init();
  /** The main connection when it is free; otherwise, with a reader, one that reads beside the holder (ReadingConnection). */
  acquireConnection = (): Promise<DatabaseConnection> => (this.turn.free || !this.reader ? this.takeTurn() : Promise.resolve(new ReadingConnection(this)));
  releaseConnection = async (connection: DatabaseConnection) => {
    if (connection instanceof ReadingConnection && !connection.holding) return;
    await this.inner.releaseConnection();
    this.turn.unlock();
  };

  /** Waits its turn for the main connection (first come, first served). */
  async takeTurn(): Promise<DatabaseConnection> {
    await this.turn.lock();
    const inner = await this.inner.acquireConnection();
    if (this.wrapped?.inner !== inner) this.wrapped = { inner, outer: this.waitingForWrites(inner) };
    return this.wrapped.outer;
  }
  commitTransaction = (connection: DatabaseConnection) => this.inner.commitTransaction(connection);
  rollbackTransaction = (connection: DatabaseConnection) => this.inner.rollbackTransaction(connection);
  savepoint: Driver['savepoint'] = (connection, name, compile) => this.inner.savepoint(connection, name, compile);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (connection, name, compile) => this.inner.rollbackToSavepoint(connection, name, compile);
  releaseSavepoint: Driver['releaseSavepoint'] = (connection, name, compile) => this.inner.releaseSavepoint(connection, name, compile);
  destroy = () => this.inner.destroy();

  /**
   * `connection` is the one acquireConnection handed out (waitingForWrites): `begin immediate`
   * takes the write lock, so it already waits for it there; a deferred `begin` takes no lock.
   */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(settings.accessMode === 'read only' ? 'begin' : 'begin immediate'));
    this.sliceStart = performance.now();
  }

  /**
   * The connection, with a write on its own (outside a transaction) waiting for the write lock as
   * above, and a transaction giving the loop a turn between statements every SLICE_MS.
   */
  private waitingForWrites(inner: DatabaseConnection): DatabaseConnection {
    return {
      executeQuery: (query) => {
        if (!this.sqlite.inTransaction) return this.database.prepare(query.sql).readonly ? inner.executeQuery(query) : this.takingWriteLock(() => inner.executeQuery(query));
        if (performance.now() - this.sliceStart < SLICE_MS) return inner.executeQuery(query);
        return giveWay().then(() => {
          this.sliceStart = performance.now();
          return inner.executeQuery(query);
        });
      },
      streamQuery: (query, chunkSize) => inner.streamQuery(query, chunkSize),
    };
  }

  /** Runs a statement that takes the write lock, trying again while another process holds it. */
  private async takingWriteLock<R>(run: () => Promise<R>): Promise<R> {
    const deadline = performance.now() + this.lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.withoutBusyTimeout(run);
      } catch (err) {
        if (!isBusy(err) || this.sqlite.inTransaction || performance.now() >= deadline) throw err;
      }
      await pause(attempt);
    }
  }

  /** better-sqlite3 runs the statement within the call, so the timeout is back before anything else runs. */
  private withoutBusyTimeout<R>(run: () => Promise<R>): Promise<R> {
    this.sqlite.exec('pragma busy_timeout = 0');
    try {
      return run();
    } finally {
      this.sqlite.exec(`pragma busy_timeout = ${LOCK_WAIT_MS}`);
    }
  }
}

/**
 * What Kysely is handed while someone else holds the main connection: a read on its own runs on
 * the reader at once (or on the main connection, if it came free meanwhile); the first statement
 * that is not one (`begin`, a write, a stream) waits its turn, and from then on everything runs
 * on the main connection until Kysely releases it.
 */
class ReadingConnection implements DatabaseConnection {
  private main: DatabaseConnection | undefined;

  constructor(private readonly driver: ImmediateSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.main) {
      const rows = this.driver.readNow(query.sql, query.parameters);
      if (rows !== undefined) return { rows: rows as R[] };
      await this.hold();
    }
    return this.main!.executeQuery<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (!this.main) await this.hold();
    yield* this.main!.streamQuery<R>(query, chunkSize);
  }

  /** It took its turn for the main connection, which Kysely's release gives back. */
  get holding(): boolean {
    return this.main !== undefined;
  }

  private async hold() {
    this.main = await this.driver.takeTurn();
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: CachedDatabase;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #lockWaitMs: number;
  readonly #reader: CachedDatabase | undefined;
  #driver: ImmediateSqliteDriver | undefined;

  /**
   * `database` is `sqlite` behind the statement cache; `lockWaitMs` bounds a wait for another
   * process's write lock; `reader`, a read-only connection to the same file behind its own cache
   * (none for a database in memory, which no other connection can open).
   */
  constructor(database: CachedDatabase, sqlite: BetterSqlite3.Database, lockWaitMs = LOCK_WAIT_MS, reader?: CachedDatabase) {
    super({ database });
    this.#database = database;
    this.#sqlite = sqlite;
    this.#lockWaitMs = lockWaitMs;
    this.#reader = reader;
  }

  override createDriver(): Driver {
    return (this.#driver = new ImmediateSqliteDriver(new SqliteDriver({ database: this.#database }), this.#database, this.#sqlite, this.#lockWaitMs, this.#reader));
  }

  /** See `ImmediateSqliteDriver.readNow`; undefined before Kysely made the driver. */
  readNow(sql: string, parameters: readonly unknown[]): unknown[] | undefined {
    return this.#driver?.readNow(sql, parameters);
  }
}

/**
 * SQLite's built-in `lower()` folds ASCII only ("É" stays "É"), PostgreSQL's folds every letter.
 * The same SQL must match the same rows on both, so on SQLite `lower` is JavaScript's.
 */
export function foldCaseLikePostgres(sqlite: BetterSqlite3.Database): void {
  sqlite.function('lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value) as string | null);
}
