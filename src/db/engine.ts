import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import { FifoLock } from './fifo-lock.js';
import type { Database } from './schema.js';

/** Which engine a Kysely instance talks to; the one place the SQL differs by engine. */
export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A write transaction over one person's ledger. Writes read before they write (a month's totals are
 * recomputed from its rows, an import checks for duplicates), so two of them for one person must not
 * interleave. On PostgreSQL a transaction-scoped advisory lock on the person serialises them (other
 * people's writes go on in parallel); on SQLite `BEGIN IMMEDIATE` holds the file's write lock already.
 */
export function ledgerTransaction<T>(db: Kysely<Database>, userSub: string, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (isPostgres(db)) await sql`select pg_advisory_xact_lock(hashtextextended(${userSub}, 0))`.execute(trx);
    return work(trx);
  });
}

/** Opens a database instance of its own for one snapshot; `destroy` closes it. */
export type SnapshotOpener = () => Kysely<Database>;

const snapshotOpeners = new WeakMap<Kysely<Database>, { open: SnapshotOpener; turn: FifoLock }>();

/**
 * Snapshots of `db` read on a connection of their own (SQLite on a file: a read-only one). On
 * SQLite a snapshot on the one main connection would hold it, and every write would wait until the
 * snapshot's last read (a 50,000-row export: about 0.25 s). PostgreSQL's pool does this already.
 * One such connection at a time, first come first served: however many exports are asked for at
 * once, one connection and one export's rows are being read (as on the main connection before).
 */
export function allowSnapshotConnections(db: Kysely<Database>, open: SnapshotOpener): void {
  snapshotOpeners.set(db, { open, turn: new FifoLock() });
}

/** Reads that must agree with each other (the export): one snapshot, no writes. */
export async function snapshotTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const own = snapshotOpeners.get(db);
  if (!own) return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
  await own.turn.lock();
  try {
    const snapshotDb = own.open();
    try {
      return await snapshotDb.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
    } finally {
      await snapshotDb.destroy();
    }
  } finally {
    own.turn.unlock();
  }
}
