import { ledgerTransaction } from '../../db/engine.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { monthSpan, refreshMonthTotals } from '../transactions/month-totals.js';
import { inChunks, removeTransactionRows } from '../transactions/writes.js';

/** A confirmed import, as the import page lists it. */
export interface ImportBatch {
  id: string;
  accountId: string;
  fileName: string;
  rowCount: number;
  createdAt: string;
  /** Rows of it still there (some may have been deleted by hand since). */
  remaining: number;
}

/** An import some of whose rows were reconciled with a statement since: undoing it would break that statement. */
export class ReconciledRowsError extends Error {
  constructor(readonly count: number) {
    super('import has reconciled rows');
  }
}

/** Imports listed on the import page: the newest ones (older ones stay undoable by id). */
export const LISTED_IMPORTS = 50;

/** SQL for the record of confirmed imports, and for undoing one. */
export function createImportBatchesRepository(db: Kysely<Database>) {
  /** The member's imports, each with how many of its rows are still there. */
  const batches = (userSub: string) =>
    db
      .selectFrom('import_batches as b')
      .select(['b.id', 'b.account_id', 'b.file_name', 'b.row_count', 'b.created_at'])
      .select((eb) => eb.selectFrom('transactions as t').whereRef('t.import_batch_id', '=', 'b.id').where('t.user_sub', '=', userSub).select((e) => e.fn.countAll<number>().as('n')).as('remaining'))
      .where('b.user_sub', '=', userSub);
  type Row = Awaited<ReturnType<ReturnType<typeof batches>['execute']>>[number];
  const toBatch = (r: Row): ImportBatch => ({ id: r.id, accountId: r.account_id, fileName: r.file_name, rowCount: Number(r.row_count), createdAt: r.created_at, remaining: Number(r.remaining ?? 0) });
  return {
    async list(userSub: string): Promise<ImportBatch[]> {
      return (await batches(userSub).orderBy('b.created_at', 'desc').orderBy('b.id', 'desc').limit(LISTED_IMPORTS).execute()).map(toBatch);
    },

    async find(userSub: string, id: string): Promise<ImportBatch | undefined> {
      const r = await batches(userSub).where('b.id', '=', id).executeTakeFirst();
      return r && toBatch(r);
    },

    /**
     * Undoes an import in one database transaction: every row it wrote goes (with the other
     * sides of the transfers it created). A row that was already there and that the import
     * matched as a transfer's other side stays, as an ordinary transaction again. Returns the
     * number of rows removed, or undefined when there is no such import.
     */
    undo(userSub: string, id: string): Promise<number | undefined> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const batch = await trx.deleteFrom('import_batches').where('user_sub', '=', userSub).where('id', '=', id).returning('id').executeTakeFirst();
        if (!batch) return undefined;
        const reconciled = await trx.selectFrom('transactions').select((e) => e.fn.countAll<number>().as('n')).where('user_sub', '=', userSub).where('import_batch_id', '=', id).where('cleared', '=', 'reconciled').executeTakeFirstOrThrow();
        // Thrown inside the transaction: the batch's record comes back with the rollback.
        if (Number(reconciled.n) > 0) throw new ReconciledRowsError(Number(reconciled.n));
        const rows = await trx.selectFrom('transactions').select(['id', 'date']).where('user_sub', '=', userSub).where('import_batch_id', '=', id).execute();
        const ids = rows.map((r) => r.id);
        // Rows from before the import that it linked as a transfer's other side: unlinked, kept.
        const kept = await inChunks(ids, (chunk) =>
          trx
            .updateTable('transactions')
            .set({ transfer_id: null })
            .where('user_sub', '=', userSub)
            .where('transfer_id', 'in', chunk)
            .where((eb) => eb.or([eb('import_batch_id', 'is', null), eb('import_batch_id', '!=', id)]))
            .returning(['id', 'date'])
            .execute(),
        );
        await inChunks(
          kept.map((k) => k.id),
          async (chunk) => {
            await trx.updateTable('transactions').set({ transfer_id: null }).where('user_sub', '=', userSub).where('import_batch_id', '=', id).where('transfer_id', 'in', chunk).execute();
            return [];
          },
        );
        const removed = await removeTransactionRows(trx, userSub, ids);
        const span = monthSpan(kept.map((k) => k.date));
        if (span) await refreshMonthTotals(trx, userSub, ...span);
        return removed;
      });
    },
  };
}

export type ImportBatchesRepository = ReturnType<typeof createImportBatchesRepository>;
