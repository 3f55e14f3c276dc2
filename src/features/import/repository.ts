import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { insertTransactionRows, type TransactionInput } from '../transactions/repository.js';
import type { Existing } from './dedupe.js';

export interface PendingImport {
  id: string;
  accountId: string;
  payload: PendingPayload;
}

export interface PendingPayload {
  fileName: string;
  total: number;
  duplicates: number;
  errors: Array<{ line: number; message: string }>;
  rows: Array<Omit<TransactionInput, 'accountId'> & { importedId: string }>;
}

export function createImportRepository(db: Kysely<Database>) {
  return {
    /** What duplicate detection compares against: the account's rows around the file's dates. */
    async existing(userSub: string, accountId: string, from: string, to: string): Promise<Existing[]> {
      const rows = await db
        .selectFrom('transactions')
        .select(['id', 'date', 'amount_minor', 'imported_id'])
        .where('user_sub', '=', userSub)
        .where('account_id', '=', accountId)
        .where('date', '>=', from)
        .where('date', '<=', to)
        .execute();
      return rows.map((r) => ({ id: r.id, date: r.date, amountMinor: Number(r.amount_minor), importedId: r.imported_id }));
    },

    async savePending(userSub: string, accountId: string, payload: PendingPayload, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      // One pending import per user: a new preview replaces the last one.
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('pending_imports').where('user_sub', '=', userSub).execute();
        await trx.insertInto('pending_imports').values({ id, user_sub: userSub, account_id: accountId, payload: JSON.stringify(payload), created_at: now.toISOString() }).execute();
      });
      return id;
    },

    async findPending(userSub: string, id: string): Promise<PendingImport | undefined> {
      const r = await db.selectFrom('pending_imports').select(['id', 'account_id', 'payload']).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return r && { id: r.id, accountId: r.account_id, payload: JSON.parse(r.payload) as PendingPayload };
    },

    /** Writes every row and removes the pending import, in one transaction: all or nothing. */
    async commit(userSub: string, pending: PendingImport, rows: PendingPayload['rows'], now: Date): Promise<number> {
      await db.transaction().execute(async (trx) => {
        await insertTransactionRows(trx, userSub, rows.map((r) => ({ ...r, accountId: pending.accountId })), now.toISOString());
        const removed = await trx.deleteFrom('pending_imports').where('user_sub', '=', userSub).where('id', '=', pending.id).executeTakeFirst();
        // Confirmed twice at once: the second finds nothing to remove and rolls back its inserts.
        if (Number(removed.numDeletedRows) !== 1) throw new Error('pending import already used');
      });
      return rows.length;
    },
  };
}

export type ImportRepository = ReturnType<typeof createImportRepository>;
