import { ledgerTransaction } from '../../db/engine.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { HttpError } from '../../http/errors.js';
import { MAX_VOLUME_MINOR, VOLUME_TEXT } from '../../money/money.js';

export interface BudgetAmount {
  month: string;
  categoryId: string;
  amount: number;
}

/** SQL for budgets: per user, month, currency and category; every statement is scoped by the owner's sub. */
export function createBudgetsRepository(db: Kysely<Database>) {
  return {
    /** Budget amounts in one currency for months up to toMonth, from fromMonth (or from the first month when null). */
    async between(userSub: string, currency: string, fromMonth: string | null, toMonth: string): Promise<BudgetAmount[]> {
      let q = db
        .selectFrom('budgets')
        .select(['month', 'category_id', 'amount_minor'])
        .where('user_sub', '=', userSub)
        .where('currency', '=', currency)
        .where('month', '<=', toMonth);
      if (fromMonth !== null) q = q.where('month', '>=', fromMonth);
      const rows = await q.execute();
      return rows.map((r) => ({ month: r.month, categoryId: r.category_id, amount: Number(r.amount_minor) }));
    },

    /**
     * Sets the month's amounts all at once (a transaction: all or nothing); 0 removes a budget.
     * Refused with a 400, nothing saved, when all the user's budgets together would pass the
     * volume limit (so no carry or total can overflow).
     */
    async setMonth(userSub: string, month: string, currency: string, amounts: Array<{ categoryId: string; amount: number }>): Promise<void> {
      await ledgerTransaction(db, userSub, async (trx) => {
        for (const a of amounts) {
          if (a.amount === 0) {
            await trx
              .deleteFrom('budgets')
              .where('user_sub', '=', userSub)
              .where('month', '=', month)
              .where('currency', '=', currency)
              .where('category_id', '=', a.categoryId)
              .execute();
          } else {
            await trx
              .insertInto('budgets')
              .values({ user_sub: userSub, month, currency, category_id: a.categoryId, amount_minor: a.amount })
              .onConflict((oc) => oc.columns(['user_sub', 'month', 'currency', 'category_id']).doUpdateSet({ amount_minor: a.amount }))
              .execute();
          }
        }
        const total = await trx.selectFrom('budgets').select(sql<number | null>`sum(amount_minor)`.as('total')).where('user_sub', '=', userSub).executeTakeFirst();
        if (Number(total?.total ?? 0) > MAX_VOLUME_MINOR) {
          throw new HttpError(400, `All your budgets together would pass ${VOLUME_TEXT}, the most the app keeps. Nothing was saved.`);
        }
      });
    },
  };
}

export type BudgetsRepository = ReturnType<typeof createBudgetsRepository>;
