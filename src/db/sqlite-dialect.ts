import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, CompiledQuery, type DatabaseConnection, type Driver, type SqliteDialectConfig, type TransactionSettings } from 'kysely';
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

  constructor(private readonly inner: SqliteDriver) {}

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
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(new SqliteDriver(this.#config));
  }
}

/**
 * SQLite's built-in `lower()` folds ASCII only ("É" stays "É"), PostgreSQL's folds every letter.
 * The same SQL must match the same rows on both, so on SQLite `lower` is JavaScript's.
 */
export function foldCaseLikePostgres(sqlite: BetterSqlite3.Database): void {
  sqlite.function('lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value) as string | null);
}
