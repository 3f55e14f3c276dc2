import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, CompiledQuery, type DatabaseConnection, type Driver, type SqliteDatabase, type TransactionSettings } from 'kysely';
import { FifoLock } from './fifo-lock.js';

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
 */
class ImmediateSqliteDriver implements Driver {
  private readonly turn = new FifoLock();

  constructor(
    private readonly inner: SqliteDriver,
    private readonly database: SqliteDatabase,
  ) {}

  /**
   * A read-only statement's rows, read at once when nobody holds the connection; undefined when
   * someone does (a transaction may be open on it) or the statement writes. better-sqlite3 runs a
   * statement synchronously, so nothing can take the connection while it runs: to anyone else,
   * this read took the connection and gave it back in one go. It skips the promises and turns of
   * Kysely's connection hand-over (two locks taken and released, each through a promise), which
   * cost about as much as running the small indexed reads a page makes.
   */
  readNow(sql: string, parameters: readonly unknown[]): unknown[] | undefined {
    if (!this.turn.free) return undefined;
    const statement = this.database.prepare(sql);
    return statement.reader ? statement.all(parameters) : undefined;
  }

  init = () => this.inner.init();
  acquireConnection = async () => {
    await this.turn.lock();
    return this.inner.acquireConnection();
  };
  releaseConnection = async () => {
    await this.inner.releaseConnection();
    this.turn.unlock();
  };
  commitTransaction = (connection: DatabaseConnection) => this.inner.commitTransaction(connection);
  rollbackTransaction = (connection: DatabaseConnection) => this.inner.rollbackTransaction(connection);
  savepoint: Driver['savepoint'] = (connection, name, compile) => this.inner.savepoint(connection, name, compile);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (connection, name, compile) => this.inner.rollbackToSavepoint(connection, name, compile);
  releaseSavepoint: Driver['releaseSavepoint'] = (connection, name, compile) => this.inner.releaseSavepoint(connection, name, compile);
  destroy = () => this.inner.destroy();

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(settings.accessMode === 'read only' ? 'begin' : 'begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  #driver: ImmediateSqliteDriver | undefined;

  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }

  override createDriver(): Driver {
    return (this.#driver = new ImmediateSqliteDriver(new SqliteDriver({ database: this.#database }), this.#database));
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
