import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { allowImmediateReads } from './compiled-query.js';
import { allowSnapshotConnections } from './engine.js';
import { preparingPool, StatementNames } from './pg-prepared.js';
import type { Database } from './schema.js';
import { startSqliteCheckpointer, type SqliteCheckpointer } from './sqlite-checkpointer.js';
import { foldCaseLikePostgres, ImmediateSqliteDialect, LOCK_WAIT_MS } from './sqlite-dialect.js';
import { withStatementCache } from './statement-cache.js';

/** Where the data lives: the embedded SQLite file (the default) or a PostgreSQL server. */
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolMax: number };

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: DatabaseTarget['kind'];
  close(): Promise<void>;
  /** SQLite on a file: the write-ahead log's checkpoint thread (sqlite-checkpointer.ts). */
  checkpointer?: Pick<SqliteCheckpointer, 'stats' | 'checkpointNow'>;
}

export interface SqliteOptions {
  /**
   * Copy the write-ahead log into the file on a thread of its own every this many milliseconds
   * (50 by default), instead of inside a commit on the event loop; 0 leaves it to SQLite's commits.
   */
  checkpointIntervalMs?: number;
  /** How long a write waits for another process's write lock, in all (5 s by default). */
  lockWaitMs?: number;
}

/**
 * The main connection's own checkpoint, kept as a safety net behind the thread: a 160 MB log.
 * Under a steady stream of writes the thread is never done before the next commit, so the log
 * starts again only after this checkpoint, which stops the event loop for its copy and two syncs
 * (4-7 ms). At 40 MB that came every 0.7 s of adds at full speed; at 160 MB every 3 s. The file
 * keeps its length until the last connection closes.
 */
const FALLBACK_CHECKPOINT_PAGES = 40_000;

/**
 * The read-only connection that reads beside an open transaction (sqlite-dialect.ts), opened after
 * the main one has put the file in WAL mode. Same functions, same wait for a recovering log.
 */
function openReader(file: string): BetterSqlite3.Database {
  const reader = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  reader.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
  foldCaseLikePostgres(reader);
  return reader;
}

/**
 * Opens the database. Features only ever see the Kysely instance; what differs between the
 * engines is here, in `engine.ts` (locks, snapshots) and in the SQLite dialect.
 */
export function openDatabase(target: DatabaseTarget, sqliteOptions: SqliteOptions = {}): DatabaseHandle {
  return target.kind === 'sqlite' ? openSqlite(target.file, sqliteOptions) : openPostgres(target.url, target.poolMax);
}

export function openSqlite(file: string, options: SqliteOptions = {}): DatabaseHandle {
  const onDisk = file !== ':memory:' && file !== '';
  if (onDisk) fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL lets readers and the one writer proceed together; NORMAL sync is safe with WAL.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another connection's lock is waited for, up to 5 s; a wait for the write lock does not block
  // the process (sqlite-dialect.ts).
  sqlite.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
  foldCaseLikePostgres(sqlite);
  const intervalMs = options.checkpointIntervalMs ?? 50;
  const checkpointer = onDisk && intervalMs > 0 ? startSqliteCheckpointer(file, intervalMs) : null;
  if (checkpointer) sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_CHECKPOINT_PAGES}`);
  const reader = onDisk ? openReader(file) : undefined;
  const dialect = new ImmediateSqliteDialect(withStatementCache(sqlite), sqlite, options.lockWaitMs, reader && withStatementCache(reader));
  const db = new Kysely<Database>({ dialect });
  allowImmediateReads(db, (sql, parameters) => dialect.readNow(sql, parameters));
  // A snapshot gets a read-only connection of its own, which gives the loop a turn between its statements as the main one does.
  if (onDisk) {
    allowSnapshotConnections(db, () => {
      const connection = openReader(file);
      return new Kysely<Database>({ dialect: new ImmediateSqliteDialect(withStatementCache(connection), connection) });
    });
  }
  return {
    db,
    engine: 'sqlite',
    // The thread's and the reader's connections first; Kysely's destroy then closes the main one (the last to close checkpoints what is left).
    close: async () => {
      await checkpointer?.stop();
      reader?.close();
      await db.destroy();
    },
    ...(checkpointer ? { checkpointer } : {}),
  };
}

/** int8 (count, bigint columns) and numeric (sum of bigint) arrive as strings; amounts are safe integers. */
function safeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`a number from PostgreSQL is outside the safe integer range: ${text}`);
  return n;
}

const INT8 = 20;
const NUMERIC = 1700;

function typeParser(oid: number, format?: 'text' | 'binary') {
  if (oid === INT8 || oid === NUMERIC) return safeNumber;
  return pg.types.getTypeParser(oid, format);
}

export function openPostgres(url: string, poolMax: number): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, types: { getTypeParser: typeParser } as pg.CustomTypesConfig });
  // An idle connection the server ends (a restart, an administrator's terminate) must not crash the
  // process: the pool drops that client and opens a new one for the next query.
  pool.on('error', () => undefined);
  // Parameterised queries run as named statements: parsed and planned once per connection (pg-prepared.ts).
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool, new StatementNames()), cursor: Cursor }) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}
