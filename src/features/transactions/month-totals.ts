import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/**
 * Recomputes the stored monthly totals and repeated charges of one user for the months
 * firstMonth..lastMonth (YYYY-MM) from the transactions themselves. Every write to transactions calls this inside its
 * own database transaction, so the totals can never disagree with the rows: recomputing a month
 * (a few thousand rows at most, read through the covering index) is simpler to get right than
 * adding and subtracting, and as fast for a single change.
 *
 * On SQLite writes are serialized. A PostgreSQL deployment should run these writes at
 * SERIALIZABLE (or lock the user's row first), so two concurrent changes to one month cannot
 * each recompute it without the other's row.
 */
export async function refreshMonthTotals(trx: Kysely<Database>, userSub: string, firstMonth: string, lastMonth: string): Promise<void> {
  await trx.deleteFrom('month_totals').where('user_sub', '=', userSub).where('month', '>=', firstMonth).where('month', '<=', lastMonth).execute();
  await trx
    .insertInto('month_totals')
    .columns(['user_sub', 'month', 'category_key', 'total_minor', 'count'])
    .expression(
      trx
        .selectFrom('transactions')
        .select((eb) => [
          'user_sub',
          sql<string>`substr(date, 1, 7)`.as('month'),
          sql<string>`coalesce(category_id, '')`.as('category_key'),
          eb.fn.sum<number>('amount_minor').as('total_minor'),
          eb.fn.countAll<number>().as('count'),
        ])
        .where('user_sub', '=', userSub)
        .where('date', '>=', `${firstMonth}-01`)
        .where('date', '<=', `${lastMonth}-31`)
        .groupBy(['user_sub', sql`substr(date, 1, 7)`, sql`coalesce(category_id, '')`]),
    )
    .execute();
  await trx.deleteFrom('month_repeats').where('user_sub', '=', userSub).where('month', '>=', firstMonth).where('month', '<=', lastMonth).execute();
  await trx
    .insertInto('month_repeats')
    .columns(['user_sub', 'month', 'amount_minor', 'description_key', 'count'])
    .expression(
      trx
        .selectFrom('transactions')
        .select((eb) => ['user_sub', sql<string>`substr(date, 1, 7)`.as('month'), 'amount_minor', sql<string>`lower(trim(description))`.as('description_key'), eb.fn.countAll<number>().as('count')])
        .where('user_sub', '=', userSub)
        .where('date', '>=', `${firstMonth}-01`)
        .where('date', '<=', `${lastMonth}-31`)
        .where('amount_minor', '<', 0)
        .groupBy(['user_sub', sql`substr(date, 1, 7)`, 'amount_minor', sql`lower(trim(description))`])
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
