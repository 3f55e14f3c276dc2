import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { monthRange } from '../money/dates.js';

/** A transaction's month (YYYY-MM), as stored in month_totals and month_repeats. */
const MONTH = sql<string>`substr(date, 1, 7)`;
/** What makes two descriptions "the same" for repeated charges: computed by the database, in one place. */
export const DESCRIPTION_KEY = sql<string>`lower(trim(description))`;

/**
 * Recomputes the stored monthly totals and repeated charges of one user for the months
 * firstMonth..lastMonth (YYYY-MM) from the transactions themselves. Every write to transactions
 * calls this inside its own database transaction, so the totals can never disagree with the
 * rows: recomputing a month (a few thousand rows at most, read through the covering index) is
 * simpler to get right than adding and subtracting, and as fast for a single change.
 *
 * On SQLite writes are serialized. A PostgreSQL deployment should run these writes at
 * SERIALIZABLE (or lock the user's row first), so two concurrent changes to one month cannot
 * each recompute it without the other's row.
 */
export async function refreshMonthTotals(trx: Kysely<Database>, userSub: string, firstMonth: string, lastMonth: string): Promise<void> {
  for (const table of ['month_totals', 'month_repeats'] as const) {
    await trx.deleteFrom(table).where('user_sub', '=', userSub).where('month', '>=', firstMonth).where('month', '<=', lastMonth).execute();
  }
  const inMonths = () =>
    trx.selectFrom('transactions').where('user_sub', '=', userSub).where('date', '>=', monthRange(firstMonth).first).where('date', '<=', monthRange(lastMonth).last);
  await trx
    .insertInto('month_totals')
    .columns(['user_sub', 'month', 'category_key', 'total_minor', 'count'])
    .expression(
      inMonths()
        .select((eb) => [
          'user_sub',
          MONTH.as('month'),
          sql<string>`coalesce(category_id, '')`.as('category_key'),
          eb.fn.sum<number>('amount_minor').as('total_minor'),
          eb.fn.countAll<number>().as('count'),
        ])
        .groupBy(['user_sub', MONTH, sql`coalesce(category_id, '')`]),
    )
    .execute();
  await trx
    .insertInto('month_repeats')
    .columns(['user_sub', 'month', 'amount_minor', 'description_key', 'count'])
    .expression(
      inMonths()
        .select((eb) => ['user_sub', MONTH.as('month'), 'amount_minor', DESCRIPTION_KEY.as('description_key'), eb.fn.countAll<number>().as('count')])
        .where('amount_minor', '<', 0)
        .groupBy(['user_sub', MONTH, 'amount_minor', DESCRIPTION_KEY])
        .having((eb) => eb.fn.countAll(), '>', 1),
    )
    .execute();
}

/** The first and last month (YYYY-MM) among some dates (YYYY-MM-DD). */
export function monthSpan(dates: string[]): [string, string] | null {
  if (dates.length === 0) return null;
  let first = dates[0]!;
  let last = first;
  for (const d of dates) {
    if (d < first) first = d;
    if (d > last) last = d;
  }
  return [first.slice(0, 7), last.slice(0, 7)];
}
