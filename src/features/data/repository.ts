import { ledgerTransaction, snapshotTransaction } from '../../db/engine.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { HttpError } from '../../http/errors.js';
import { insertTransactionRows } from '../transactions/repository.js';
import { ruleValues } from '../rules/repository.js';
import { scheduleValues } from '../schedules/repository.js';
import type { RestorePlan } from './restore.js';
import { DEFAULT_CURRENCY } from '../../money/money.js';

/** Every finance table, children first, so deleting in this order never breaks a reference. */
export const USER_TABLES = ['pending_import_chunks', 'pending_imports', 'month_totals', 'day_totals', 'month_repeats', 'account_month_totals', 'transaction_splits', 'transactions', 'import_batches', 'budgets', 'rules', 'goal_contributions', 'goals', 'schedules', 'exchange_rates', 'categories', 'reconciliations', 'accounts'] as const;

/**
 * Rows an export reads a statement: a 50,000-row ledger read in one statement held the process
 * for 220-310 ms (SQLite runs it on the event loop); a page of 5,000 takes a tenth of that, and
 * the snapshot's transaction gives the loop a turn between them.
 */
const EXPORT_PAGE_ROWS = 5000;

/** Every row `read` gives, a page at a time: each page starts after the last row of the one before (keyset order). */
async function inPages<K, R extends K>(read: (after: K | undefined) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (let after: K | undefined; ; ) {
    const page = await read(after);
    for (const r of page) rows.push(r);
    if (page.length < EXPORT_PAGE_ROWS) return rows;
    after = page[page.length - 1];
  }
}

export function createDataRepository(db: Kysely<Database>) {
  return {
    /** Everything the user owns, for export: read in one snapshot, so the parts agree with each other. */
    everything(userSub: string) {
      return snapshotTransaction(db, async (trx) => {
        const [accounts, categories, transactions, splits, budgets, rules, goals, schedules, rates] = await Promise.all([
          trx.selectFrom('accounts').select(['id', 'name', 'currency', 'archived', 'created_at', 'type', 'opening_balance_minor', 'opening_date']).where('user_sub', '=', userSub).execute(),
          trx.selectFrom('categories').select(['id', 'name', 'grp']).where('user_sub', '=', userSub).execute(),
          inPages((after: { date: string; id: string } | undefined) =>
            trx
              .selectFrom('transactions')
              .select(['id', 'account_id', 'date', 'description', 'amount_minor', 'category_id', 'imported_id', 'memo', 'cleared', 'transfer_id', 'split'])
              .where('user_sub', '=', userSub)
              .$if(after !== undefined, (q) => q.where('date', '>=', after!.date).where((eb) => eb.or([eb('date', '>', after!.date), eb('id', '>', after!.id)])))
              .orderBy('date')
              .orderBy('id')
              .limit(EXPORT_PAGE_ROWS)
              .execute(),
          ),
          inPages((after: { transaction_id: string; seq: number } | undefined) =>
            trx
              .selectFrom('transaction_splits')
              .select(['transaction_id', 'seq', 'category_id', 'amount_minor', 'memo'])
              .where('user_sub', '=', userSub)
              .$if(after !== undefined, (q) => q.where('transaction_id', '>=', after!.transaction_id).where((eb) => eb.or([eb('transaction_id', '>', after!.transaction_id), eb('seq', '>', after!.seq)])))
              .orderBy('transaction_id')
              .orderBy('seq')
              .limit(EXPORT_PAGE_ROWS)
              .execute(),
          ),
          trx.selectFrom('budgets').select(['month', 'currency', 'category_id', 'amount_minor']).where('user_sub', '=', userSub).orderBy('month').execute(),
          trx
            .selectFrom('rules')
            .select(['id', 'match_text', 'category_id', 'match_field', 'match_op', 'min_amount_minor', 'max_amount_minor', 'account_id', 'rename_to', 'position'])
            .where('user_sub', '=', userSub)
            .orderBy('position')
            .execute(),
          // Saved as one figure: what was saved at the start plus every contribution since.
          trx
            .selectFrom('goals as g')
            .select(['g.id', 'g.name', 'g.target_minor', 'g.target_date', 'g.currency'])
            .select(sql<number>`g.saved_minor + coalesce((select sum(c.amount_minor) from goal_contributions c where c.goal_id = g.id and c.user_sub = g.user_sub), 0)`.as('saved_minor'))
            .where('g.user_sub', '=', userSub)
            .execute(),
          trx
            .selectFrom('schedules')
            .select(['id', 'account_id', 'description', 'amount_minor', 'category_id', 'transfer_account_id', 'frequency', 'every', 'anchor_day', 'next_date'])
            .where('user_sub', '=', userSub)
            .orderBy('next_date')
            .execute(),
          trx.selectFrom('exchange_rates').select(['base', 'currency', 'date', 'rate_e8']).where('user_sub', '=', userSub).orderBy('base').orderBy('currency').orderBy('date').execute(),
        ]);
        return { accounts, categories, transactions, splits, budgets, rules, goals, schedules, rates };
      });
    },

    /**
     * Writes a checked restore plan into an empty ledger, all in one transaction: every row or
     * none. A ledger that has accounts by then (another tab restored first) is left alone.
     */
    async restore(userSub: string, plan: RestorePlan, now: Date): Promise<void> {
      const at = now.toISOString();
      await ledgerTransaction(db, userSub, async (trx) => {
        const any = await trx.selectFrom('accounts').select('id').where('user_sub', '=', userSub).limit(1).executeTakeFirst();
        if (any) throw new HttpError(409, 'You have accounts already: a restore only goes into an empty ledger. Delete all your data first, or keep what you have.');
        const chunks = <T>(rows: T[], size = 500) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
        for (const c of chunks(plan.categories)) await trx.insertInto('categories').values(c.map((x) => ({ id: x.id, user_sub: userSub, name: x.name, grp: x.group, created_at: at }))).execute();
        for (const c of chunks(plan.accounts)) {
          await trx
            .insertInto('accounts')
            .values(c.map((a) => ({ id: a.id, user_sub: userSub, name: a.name, currency: a.currency, archived: a.archived ? 1 : 0, created_at: at, type: a.type, opening_balance_minor: a.openingBalance, opening_date: a.openingDate })))
            .execute();
        }
        await insertTransactionRows(trx, userSub, plan.transactions, at);
        for (const c of chunks(plan.budgets)) await trx.insertInto('budgets').values(c.map((b) => ({ user_sub: userSub, month: b.month, currency: b.currency, category_id: b.categoryId, amount_minor: b.amountMinor }))).execute();
        for (const c of chunks(plan.rules)) {
          await trx.insertInto('rules').values(c.map((r) => ({ id: r.id, user_sub: userSub, ...ruleValues(r), position: r.position, created_at: at }))).execute();
        }
        for (const c of chunks(plan.rates)) await trx.insertInto('exchange_rates').values(c.map((r) => ({ user_sub: userSub, base: r.base, currency: r.currency, date: r.date, rate_e8: r.rateE8 }))).execute();
        for (const c of chunks(plan.schedules)) {
          await trx.insertInto('schedules').values(c.map((x) => ({ id: x.id, user_sub: userSub, ...scheduleValues(x), created_at: at }))).execute();
        }
        for (const c of chunks(plan.goals)) {
          await trx
            .insertInto('goals')
            .values(c.map((g) => ({ id: g.id, user_sub: userSub, name: g.name, target_minor: g.targetMinor, saved_minor: g.savedMinor, target_date: g.targetDate, currency: g.currency, created_at: at })))
            .execute();
        }
      });
    },

    /** Deletes all of the user's finance data and preferences in one transaction. */
    async deleteEverything(userSub: string): Promise<number> {
      return ledgerTransaction(db, userSub, async (trx) => {
        let rows = 0;
        for (const table of USER_TABLES) rows += Number((await trx.deleteFrom(table).where('user_sub', '=', userSub).executeTakeFirst()).numDeletedRows);
        await trx.updateTable('users').set({ display_name: null, currency: DEFAULT_CURRENCY }).where('sub', '=', userSub).execute();
        return rows;
      });
    },
  };
}

export type DataRepository = ReturnType<typeof createDataRepository>;
