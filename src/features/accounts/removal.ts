import { ledgerTransaction } from '../../db/engine.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { dateSpan, monthOf } from '../../money/dates.js';
import { refreshMonthTotals } from '../transactions/month-totals.js';
import { inChunks, removeTransactionRows } from '../transactions/writes.js';

/** Where a deleted account's transactions go: into another account (same currency), or away with it. */
export type AccountDisposal = { moveTo: string } | { deleteTransactions: true };

/**
 * SQL for deleting an account in one database transaction, with everything that names it.
 * Moving: its rows go to the other account, transfers between the two go (they would be
 * transfers to itself), its schedules, rules and import records follow. Deleting: its rows go,
 * and the other sides of its transfers stay in their accounts as ordinary transactions.
 * Either way its reconciliations go, and the months touched get their totals recomputed.
 */
export function createAccountRemoval(db: Kysely<Database>) {
  return {
    async transactionCount(userSub: string, id: string): Promise<number> {
      const r = await db.selectFrom('transactions').select(sql<number>`count(*)`.as('n')).where('user_sub', '=', userSub).where('account_id', '=', id).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    remove(userSub: string, id: string, how: AccountDisposal): Promise<number> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const rows = await trx.selectFrom('transactions').select(['id', 'date', 'transfer_id']).where('user_sub', '=', userSub).where('account_id', '=', id).execute();
        const dates = rows.map((r) => r.date);
        const linked = rows.filter((r) => r.transfer_id !== null).map((r) => r.transfer_id!);
        if ('moveTo' in how) {
          const target = how.moveTo;
          // Transfers between the two accounts would become transfers to itself: both sides go.
          const peers = await inChunks(linked, (chunk) => trx.selectFrom('transactions').select(['id', 'date', 'transfer_id']).where('user_sub', '=', userSub).where('id', 'in', chunk).where('account_id', '=', target).execute());
          await removeTransactionRows(trx, userSub, peers.map((p) => p.id));
          await trx.updateTable('transactions').set({ account_id: target }).where('user_sub', '=', userSub).where('account_id', '=', id).execute();
          await trx.updateTable('schedules').set({ account_id: target }).where('user_sub', '=', userSub).where('account_id', '=', id).execute();
          await trx.updateTable('schedules').set({ transfer_account_id: target }).where('user_sub', '=', userSub).where('transfer_account_id', '=', id).execute();
          await trx.deleteFrom('schedules').where('user_sub', '=', userSub).whereRef('account_id', '=', 'transfer_account_id').execute();
          await trx.updateTable('rules').set({ account_id: target }).where('user_sub', '=', userSub).where('account_id', '=', id).execute();
          await trx.updateTable('import_batches').set({ account_id: target }).where('user_sub', '=', userSub).where('account_id', '=', id).execute();
        } else {
          // The other sides stay, unlinked: the other accounts' balances do not change.
          const kept = await inChunks(linked, (chunk) => trx.updateTable('transactions').set({ transfer_id: null }).where('user_sub', '=', userSub).where('id', 'in', chunk).where('account_id', '!=', id).returning('date').execute());
          dates.push(...kept.map((k) => k.date));
          await trx.updateTable('transactions').set({ transfer_id: null }).where('user_sub', '=', userSub).where('account_id', '=', id).execute();
          await removeTransactionRows(trx, userSub, rows.map((r) => r.id));
          await trx.deleteFrom('schedules').where('user_sub', '=', userSub).where((eb) => eb.or([eb('account_id', '=', id), eb('transfer_account_id', '=', id)])).execute();
          await trx.deleteFrom('rules').where('user_sub', '=', userSub).where('account_id', '=', id).execute();
          await trx.deleteFrom('import_batches').where('user_sub', '=', userSub).where('account_id', '=', id).execute();
        }
        await trx.deleteFrom('reconciliations').where('user_sub', '=', userSub).where('account_id', '=', id).execute();
        await trx.deleteFrom('accounts').where('user_sub', '=', userSub).where('id', '=', id).execute();
        const span = dateSpan(dates);
        if (span) await refreshMonthTotals(trx, userSub, monthOf(span[0]), monthOf(span[1]));
        return rows.length;
      });
    },
  };
}

export type AccountRemoval = ReturnType<typeof createAccountRemoval>;
