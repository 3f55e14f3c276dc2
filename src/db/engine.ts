import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
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

/** Reads that must agree with each other (the export): one snapshot, no writes. */
export function snapshotTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
}
