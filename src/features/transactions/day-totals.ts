import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { monthRange } from '../../money/dates.js';
import { TRANSFER_KEY } from './month-totals.js';

/** One day's stored total for a category ('' key: uncategorized) in one currency. */
export interface DayTotal {
  date: string;
  currency: string;
  categoryId: string | null;
  total: number;
  count: number;
  out: number;
  outCount: number;
}

/** The per-day totals (kept with the monthly ones on every write); every statement is scoped by the owner's sub. */
export function createDayTotalsRepository(db: Kysely<Database>) {
  return {
    /** Every day's totals up to `toMonth` in currencies other than `except`, transfers left out: what the main-currency view converts. */
    async otherCurrencies(userSub: string, except: string, toMonth: string): Promise<DayTotal[]> {
      const rows = await db
        .selectFrom('day_totals')
        .select(['date', 'currency', 'category_key', 'total_minor', 'count', 'out_minor', 'out_count'])
        .where('user_sub', '=', userSub)
        .where('currency', '<>', except)
        .where('date', '<=', monthRange(toMonth).last)
        .where('category_key', '<>', TRANSFER_KEY)
        .execute();
      return rows.map((r) => ({
        date: r.date,
        currency: r.currency,
        categoryId: r.category_key === '' ? null : r.category_key,
        total: Number(r.total_minor),
        count: Number(r.count),
        out: Number(r.out_minor),
        outCount: Number(r.out_count),
      }));
    },
  };
}

export type DayTotalsRepository = ReturnType<typeof createDayTotalsRepository>;
