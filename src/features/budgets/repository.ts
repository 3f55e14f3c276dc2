import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export function createBudgetsRepository(db: Kysely<Database>) {
  return {
    /** Budget amounts per month and category for [fromMonth, toMonth]. */
    async between(userSub: string, fromMonth: string, toMonth: string): Promise<Array<{ month: string; categoryId: string; amount: number }>> {
      const rows = await db
        .selectFrom('budgets')
        .select(['month', 'category_id', 'amount_minor'])
        .where('user_sub', '=', userSub)
        .where('month', '>=', fromMonth)
        .where('month', '<=', toMonth)
        .execute();
      return rows.map((r) => ({ month: r.month, categoryId: r.category_id, amount: Number(r.amount_minor) }));
    },

    /** Sets the month's amounts all at once (a transaction: all or nothing); 0 removes a budget. */
    async setMonth(userSub: string, month: string, amounts: Array<{ categoryId: string; amount: number }>): Promise<void> {
      await db.transaction().execute(async (trx) => {
        for (const a of amounts) {
          if (a.amount === 0) {
            await trx.deleteFrom('budgets').where('user_sub', '=', userSub).where('month', '=', month).where('category_id', '=', a.categoryId).execute();
          } else {
            await trx
              .insertInto('budgets')
              .values({ user_sub: userSub, month, category_id: a.categoryId, amount_minor: a.amount })
              .onConflict((oc) => oc.columns(['user_sub', 'month', 'category_id']).doUpdateSet({ amount_minor: a.amount }))
              .execute();
          }
        }
      });
    },
  };
}

export type BudgetsRepository = ReturnType<typeof createBudgetsRepository>;
