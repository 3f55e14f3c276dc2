import { ledgerTransaction } from '../../db/engine.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { dateSpan, monthOf } from '../../money/dates.js';
import { refreshMonthTotals } from '../transactions/month-totals.js';
import { inChunks } from '../transactions/writes.js';

/** How much hangs on a category: what deleting it would move. */
export interface CategoryUse {
  transactions: number;
  budgets: number;
  rules: number;
  schedules: number;
}

/** SQL for deleting a category: its transactions, split parts, budgets, rules and schedules go to another category (or none) first. */
export function createCategoryRemoval(db: Kysely<Database>) {
  const count = async (q: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) => Number((await q.executeTakeFirstOrThrow()).n);
  return {
    async use(userSub: string, id: string): Promise<CategoryUse> {
      const n = sql<number>`count(*)`.as('n');
      const [rows, parts, budgets, rules, schedules] = await Promise.all([
        count(db.selectFrom('transactions').select(n).where('user_sub', '=', userSub).where('category_id', '=', id)),
        count(db.selectFrom('transaction_splits').select(n).where('user_sub', '=', userSub).where('category_id', '=', id)),
        count(db.selectFrom('budgets').select(n).where('user_sub', '=', userSub).where('category_id', '=', id)),
        count(db.selectFrom('rules').select(n).where('user_sub', '=', userSub).where('category_id', '=', id)),
        count(db.selectFrom('schedules').select(n).where('user_sub', '=', userSub).where('category_id', '=', id)),
      ]);
      return { transactions: rows + parts, budgets, rules, schedules };
    },

    /**
     * Deletes the category in one database transaction. Its transactions and split parts move to
     * `into` (null: uncategorised); its budgets are added to `into`'s for the same month and
     * currency (dropped when there is none); rules follow it, or go when it is none; schedules
     * follow it. The months touched get their totals recomputed. False when there is no such category.
     */
    remove(userSub: string, id: string, into: string | null): Promise<boolean> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const found = await trx.selectFrom('categories').select('id').where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
        if (!found) return false;
        const moved = await trx.updateTable('transactions').set({ category_id: into }).where('user_sub', '=', userSub).where('category_id', '=', id).returning('date').execute();
        const parts = await trx
          .updateTable('transaction_splits')
          .set({ category_id: into })
          .where('user_sub', '=', userSub)
          .where('category_id', '=', id)
          .returning('transaction_id')
          .execute();
        const partDates = await inChunks([...new Set(parts.map((p) => p.transaction_id))], (chunk) =>
          trx.selectFrom('transactions').select('date').where('user_sub', '=', userSub).where('id', 'in', chunk).execute(),
        );
        if (into !== null) {
          await trx
            .insertInto('budgets')
            .columns(['user_sub', 'month', 'currency', 'category_id', 'amount_minor'])
            .expression(trx.selectFrom('budgets').select(['user_sub', 'month', 'currency', sql.lit(into).as('category_id'), 'amount_minor']).where('user_sub', '=', userSub).where('category_id', '=', id))
            .onConflict((oc) => oc.columns(['user_sub', 'month', 'currency', 'category_id']).doUpdateSet({ amount_minor: sql`budgets.amount_minor + excluded.amount_minor` }))
            .execute();
          await trx.updateTable('rules').set({ category_id: into }).where('user_sub', '=', userSub).where('category_id', '=', id).execute();
        } else {
          await trx.deleteFrom('rules').where('user_sub', '=', userSub).where('category_id', '=', id).execute();
        }
        await trx.deleteFrom('budgets').where('user_sub', '=', userSub).where('category_id', '=', id).execute();
        await trx.updateTable('schedules').set({ category_id: into }).where('user_sub', '=', userSub).where('category_id', '=', id).execute();
        await trx.deleteFrom('categories').where('user_sub', '=', userSub).where('id', '=', id).execute();
        const span = dateSpan([...moved, ...partDates].map((m) => m.date));
        if (span) await refreshMonthTotals(trx, userSub, monthOf(span[0]), monthOf(span[1]));
        return true;
      });
    },
  };
}

export type CategoryRemoval = ReturnType<typeof createCategoryRemoval>;
