import { ledgerTransaction } from '../../db/engine.js';
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CategoryGroup, Database } from '../../db/schema.js';
import { createYielder, giveWay } from '../../lib/cooperative.js';
import { insertTransactionRows, type TransactionInput } from '../transactions/repository.js';
import type { Existing } from './dedupe.js';

/** A category name the file carries that the person does not have yet, and the group suggested for it. */
export interface NewCategoryName {
  name: string;
  suggestedGroup: CategoryGroup;
  rows: number;
}

/** What the preview showed, kept with the pending import. */
export interface PendingMeta {
  fileName: string;
  encoding: string;
  total: number;
  duplicates: number;
  newRows: number;
  newCategories: NewCategoryName[];
  /** Account names of "Transfer : <name>" payees that match none of the person's accounts. */
  unknownTransfers?: Array<{ name: string; rows: number }>;
  /** Rows the file marks as transfers to accounts the person has. */
  transfers?: number;
}

/** A row waiting for confirmation; `newCategory` is an index into PendingMeta.newCategories. */
export type PendingRow = Omit<TransactionInput, 'accountId'> & {
  importedId: string;
  newCategory?: number;
  /** The account the file says this row is a transfer with (YNAB's "Transfer : <account>" payee). */
  transferAccountId?: string;
  /** A "Transfer : <name>" payee naming no account of the person's: an index into PendingMeta.unknownTransfers. */
  unknownTransfer?: number;
};

export interface PendingImport {
  id: string;
  accountId: string;
  createdAt: string;
  meta: PendingMeta;
}

const CHUNK_ROWS = 1000;
const EXISTING_PAGE = 5000;

export function createImportRepository(db: Kysely<Database>) {
  return {
    /**
     * What duplicate detection compares against: the account's rows around the file's dates,
     * read a page at a time (keyset on date and id) with pauses between pages.
     */
    async existing(userSub: string, accountId: string, from: string, to: string): Promise<Existing[]> {
      const out: Existing[] = [];
      let after: { date: string; id: string } | null = null;
      for (;;) {
        let q = db
          .selectFrom('transactions')
          .select(['id', 'date', 'amount_minor', 'imported_id', 'transfer_id'])
          .where('user_sub', '=', userSub)
          .where('account_id', '=', accountId)
          .where('date', '<=', to);
        const a = after;
        // After the first page a row-value comparison is the lower bound: SQLite and PostgreSQL
        // both seek straight to it in the (user_sub, account_id, date, id) index.
        q = a ? q.where((eb) => eb(eb.refTuple('date', 'id'), '>', eb.tuple(a.date, a.id))) : q.where('date', '>=', from);
        const rows = await q.orderBy('date').orderBy('id').limit(EXISTING_PAGE).execute();
        for (const r of rows) out.push({ id: r.id, date: r.date, amountMinor: Number(r.amount_minor), importedId: r.imported_id, linked: r.transfer_id !== null });
        if (rows.length < EXISTING_PAGE) return out;
        after = { date: rows.at(-1)!.date, id: rows.at(-1)!.id };
        await giveWay();
      }
    },

    /**
     * Keeps a preview for confirmation: one per user (a new preview replaces the last), rows in
     * chunks. The chunks are serialized first, pausing for other requests; the transaction itself
     * never pauses, since a pause inside it would let other requests' writes on this connection
     * join it.
     */
    async savePending(userSub: string, accountId: string, meta: PendingMeta, rows: PendingRow[], now: Date): Promise<string> {
      const id = crypto.randomUUID();
      const y = createYielder();
      const chunks: string[] = [];
      for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
        await y.pause();
        chunks.push(JSON.stringify(rows.slice(i, i + CHUNK_ROWS)));
      }
      await ledgerTransaction(db, userSub, async (trx) => {
        await deletePendingOf(trx, userSub);
        await trx.insertInto('pending_imports').values({ id, user_sub: userSub, account_id: accountId, payload: JSON.stringify(meta), created_at: now.toISOString() }).execute();
        for (const [seq, rows_json] of chunks.entries()) {
          await trx.insertInto('pending_import_chunks').values({ import_id: id, seq, user_sub: userSub, rows_json }).execute();
        }
      });
      return id;
    },

    /** Forgets the user's pending import (a preview that cannot be confirmed leaves nothing behind). */
    async clearPending(userSub: string): Promise<void> {
      await ledgerTransaction(db, userSub, (trx) => deletePendingOf(trx, userSub));
    },

    /** The user's pending import, if it was made at or after `notBefore` (older ones have expired). */
    async findPending(userSub: string, id: string, notBefore: Date): Promise<PendingImport | undefined> {
      const r = await db
        .selectFrom('pending_imports')
        .select(['id', 'account_id', 'payload', 'created_at'])
        .where('user_sub', '=', userSub)
        .where('id', '=', id)
        .where('created_at', '>=', notBefore.toISOString())
        .executeTakeFirst();
      return r && { id: r.id, accountId: r.account_id, createdAt: r.created_at, meta: JSON.parse(r.payload) as PendingMeta };
    },

    /** A pending import's rows, in order, read chunk by chunk. */
    async pendingRows(userSub: string, id: string): Promise<PendingRow[]> {
      const chunks = await db.selectFrom('pending_import_chunks').select(['rows_json']).where('user_sub', '=', userSub).where('import_id', '=', id).orderBy('seq').execute();
      const y = createYielder();
      const rows: PendingRow[] = [];
      for (const c of chunks) {
        for (const r of JSON.parse(c.rows_json) as PendingRow[]) {
          rows.push(r);
          // A pause a row: the yielder looks at the clock only every 64 calls.
          await y.pause();
        }
      }
      return rows;
    },

    /**
     * Creates the new categories, writes every row and removes the pending import, in one
     * transaction: all or nothing.
     */
    async commit(userSub: string, pending: PendingImport, rows: TransactionInput[], newCategories: Array<{ id: string; name: string; group: CategoryGroup }>, now: Date): Promise<string> {
      const batchId = crypto.randomUUID();
      await ledgerTransaction(db, userSub, async (trx) => {
        // The import's record, so it can be listed and undone; every row it writes names it.
        await trx
          .insertInto('import_batches')
          .values({ id: batchId, user_sub: userSub, account_id: pending.accountId, file_name: pending.meta.fileName.slice(0, 200), row_count: rows.length, created_at: now.toISOString() })
          .execute();
        if (newCategories.length) {
          await trx
            .insertInto('categories')
            .values(newCategories.map((c) => ({ id: c.id, user_sub: userSub, name: c.name, grp: c.group, created_at: now.toISOString() })))
            .execute();
        }
        await insertTransactionRows(trx, userSub, rows, now.toISOString(), batchId);
        const removed = await trx.deleteFrom('pending_imports').where('user_sub', '=', userSub).where('id', '=', pending.id).executeTakeFirst();
        // Confirmed twice at once: the second finds nothing to remove and rolls back its inserts.
        if (Number(removed.numDeletedRows) !== 1) throw new Error('pending import already used');
        await trx.deleteFrom('pending_import_chunks').where('user_sub', '=', userSub).where('import_id', '=', pending.id).execute();
      });
      return batchId;
    },

    /** Deletes every pending import made before `before` (they have expired), with their rows. */
    async deleteExpired(before: Date): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const cutoff = before.toISOString();
        await trx.deleteFrom('pending_import_chunks').where('import_id', 'in', trx.selectFrom('pending_imports').select('id').where('created_at', '<', cutoff)).execute();
        const r = await trx.deleteFrom('pending_imports').where('created_at', '<', cutoff).executeTakeFirst();
        return Number(r.numDeletedRows);
      });
    },
  };
}

async function deletePendingOf(trx: Kysely<Database>, userSub: string): Promise<void> {
  await trx.deleteFrom('pending_import_chunks').where('user_sub', '=', userSub).execute();
  await trx.deleteFrom('pending_imports').where('user_sub', '=', userSub).execute();
}

export type ImportRepository = ReturnType<typeof createImportRepository>;
