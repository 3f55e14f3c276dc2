import { ledgerTransaction } from '../../db/engine.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { clearedStateOf } from '../accounts/types.js';
import type { BulkAction, BulkRow } from './bulk.js';
import { monthSpan, refreshMonthTotals } from './month-totals.js';
import { filtered, type PageFilter } from './repository.js';
import { inChunks, removeTransactionRows } from './writes.js';

/** SQL for bulk changes: the rows a selection names, and one change applied to many rows at once. */
export function createBulkRepository(db: Kysely<Database>) {
  const owned = (userSub: string) =>
    db
      .selectFrom('transactions as t')
      .innerJoin('accounts as a', 'a.id', 't.account_id')
      .select(['t.id', 't.account_id', 'a.currency', 't.category_id', 't.transfer_id', 't.split', 't.cleared'])
      .where('t.user_sub', '=', userSub);
  type Raw = Awaited<ReturnType<ReturnType<typeof owned>['execute']>>[number];
  const toRow = (r: Raw): BulkRow => ({ id: r.id, accountId: r.account_id, currency: r.currency, categoryId: r.category_id, transfer: r.transfer_id !== null, split: r.split === 1, cleared: clearedStateOf(r.cleared) });

  return {
    /** The member's rows among `ids` (anyone else's are simply not found). */
    async rowsByIds(userSub: string, ids: readonly string[]): Promise<BulkRow[]> {
      return (await inChunks(ids, (chunk) => owned(userSub).where('t.id', 'in', chunk).execute())).map(toRow);
    },

    /** The rows a filter matches, at most `limit` (ask for one more than allowed to know it is too many). */
    async rowsByFilter(userSub: string, f: PageFilter, limit: number): Promise<BulkRow[]> {
      return (await filtered(owned(userSub), userSub, f).orderBy('t.id').limit(limit).execute()).map(toRow);
    },

    /** Applies one change to the rows (already planned: every id may take it), with the months' totals, in one transaction. */
    apply(userSub: string, action: BulkAction, ids: readonly string[]): Promise<number> {
      return ledgerTransaction(db, userSub, async (trx) => {
        if (action.kind === 'delete') return removeTransactionRows(trx, userSub, ids);
        const dates = await inChunks(ids, async (chunk) => {
          const set =
            action.kind === 'category' ? { category_id: action.categoryId } : action.kind === 'account' ? { account_id: action.accountId } : { cleared: action.cleared };
          return trx.updateTable('transactions').set(set).where('user_sub', '=', userSub).where('id', 'in', chunk).returning('date').execute();
        });
        const span = monthSpan(dates.map((d) => d.date));
        if (span) await refreshMonthTotals(trx, userSub, ...span);
        return dates.length;
      });
    },
  };
}

export type BulkRepository = ReturnType<typeof createBulkRepository>;
