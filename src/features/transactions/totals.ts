import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { monthRange } from '../../money/dates.js';
import { sizeOf, TRANSFER_KEY } from './month-totals.js';

/** One month's stored total for a category ('' key: uncategorized) in one currency. */
export interface MonthTotal {
  month: string;
  categoryId: string | null;
  total: number;
  count: number;
  /** Money out alone (negative or zero) and how many rows it is. */
  out: number;
  outCount: number;
}

/** The stored totals' reads (monthly sums per category, money moved to savings, the size limits); every statement is scoped by the owner's sub. */
export function createTotalsReads(db: Kysely<Database>) {
  return {
    /**
     * Per category and month, the stored sums for months up to toMonth (YYYY-MM) in one
     * currency; from fromMonth, or from the very first month when it is null (rollover needs
     * the whole history).
     */
    async monthlyTotals(userSub: string, currency: string, fromMonth: string | null, toMonth: string): Promise<MonthTotal[]> {
      let q = db
        .selectFrom('month_totals')
        .select(['month', 'category_key', 'total_minor', 'count', 'out_minor', 'out_count'])
        .where('user_sub', '=', userSub)
        .where('currency', '=', currency)
        .where('category_key', '<>', TRANSFER_KEY)
        .where('month', '<=', toMonth);
      if (fromMonth !== null) q = q.where('month', '>=', fromMonth);
      const rows = await q.execute();
      return rows.map((r) => ({
        month: r.month,
        categoryId: r.category_key === '' ? null : r.category_key,
        total: Number(r.total_minor),
        count: Number(r.count),
        out: Number(r.out_minor),
        outCount: Number(r.out_count),
      }));
    },

    /**
     * Per month (YYYY-MM, from..to), the net of the transfers into the user's savings and
     * investment accounts in one currency: money moved to savings. Transfers between two such
     * accounts cancel out. Read through the (user, account, date) index, one date range.
     */
    async movedToSavings(userSub: string, currency: string, fromMonth: string, toMonth: string): Promise<Map<string, number>> {
      // The savings accounts first (a handful), then their rows through the (user, account, date) index.
      const ids = (await db.selectFrom('accounts').select('id').where('user_sub', '=', userSub).where('currency', '=', currency).where('type', 'in', ['savings', 'investment']).execute()).map((a) => a.id);
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('transactions as t')
        .select([sql<string>`substr(t.date, 1, 7)`.as('month'), sql<number>`sum(t.amount_minor)`.as('total')])
        .where('t.user_sub', '=', userSub)
        .where('t.account_id', 'in', ids)
        .where('t.transfer_id', 'is not', null)
        .where('t.date', '>=', monthRange(fromMonth).first)
        .where('t.date', '<=', monthRange(toMonth).last)
        .groupBy(sql`substr(t.date, 1, 7)`)
        .execute();
      return new Map(rows.map((r) => [r.month, Number(r.total)]));
    },

    /** How many transactions the user has, and their amounts added up without signs (what the limits count). */
    size: (userSub: string) => sizeOf(db, userSub),
  };
}
