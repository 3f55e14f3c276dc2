import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Every finance table, children first, so deleting in this order never breaks a reference. */
export const USER_TABLES = ['pending_import_chunks', 'pending_imports', 'month_totals', 'month_repeats', 'account_month_totals', 'transaction_splits', 'transactions', 'budgets', 'rules', 'goals', 'categories', 'reconciliations', 'accounts'] as const;

export function createDataRepository(db: Kysely<Database>) {
  return {
    /** Everything the user owns, for export. */
    async everything(userSub: string) {
      const [accounts, categories, transactions, budgets, rules, goals] = await Promise.all([
        db.selectFrom('accounts').select(['id', 'name', 'currency', 'archived', 'created_at', 'type', 'opening_balance_minor', 'opening_date']).where('user_sub', '=', userSub).execute(),
        db.selectFrom('categories').select(['id', 'name', 'grp']).where('user_sub', '=', userSub).execute(),
        db.selectFrom('transactions').select(['id', 'account_id', 'date', 'description', 'amount_minor', 'category_id', 'imported_id', 'memo', 'cleared']).where('user_sub', '=', userSub).orderBy('date').execute(),
        db.selectFrom('budgets').select(['month', 'currency', 'category_id', 'amount_minor']).where('user_sub', '=', userSub).orderBy('month').execute(),
        db.selectFrom('rules').select(['id', 'match_text', 'category_id']).where('user_sub', '=', userSub).execute(),
        db.selectFrom('goals').select(['id', 'name', 'target_minor', 'saved_minor', 'target_date', 'currency']).where('user_sub', '=', userSub).execute(),
      ]);
      return { accounts, categories, transactions, budgets, rules, goals };
    },

    /** Deletes all of the user's finance data and preferences in one transaction. */
    async deleteEverything(userSub: string): Promise<number> {
      return db.transaction().execute(async (trx) => {
        let rows = 0;
        for (const table of USER_TABLES) rows += Number((await trx.deleteFrom(table).where('user_sub', '=', userSub).executeTakeFirst()).numDeletedRows);
        await trx.updateTable('users').set({ display_name: null, currency: 'USD' }).where('sub', '=', userSub).execute();
        return rows;
      });
    },
  };
}

export type DataRepository = ReturnType<typeof createDataRepository>;
