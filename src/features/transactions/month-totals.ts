import { sql, type Kysely } from 'kysely';
import { compiledQuery } from '../../db/compiled-query.js';
import type { Database } from '../../db/schema.js';
import { HttpError } from '../../http/errors.js';
import { MAX_VOLUME_MINOR, VOLUME_TEXT } from '../../money/money.js';
import { dateSpan, monthRange } from '../../money/dates.js';

/** The sums month_totals and day_totals keep of the parts (whole rows or split parts) they group. */
const SUMS = [
  sql<number>`sum(p.amount_minor)`.as('total_minor'),
  sql<number>`count(*)`.as('count'),
  sql<number>`sum(CASE WHEN p.amount_minor < 0 THEN p.amount_minor ELSE 0 END)`.as('out_minor'),
  sql<number>`sum(CASE WHEN p.amount_minor < 0 THEN 1 ELSE 0 END)`.as('out_count'),
];

/** A transaction's month (YYYY-MM), as stored in month_totals and month_repeats. */
const MONTH = sql<string>`substr(t.date, 1, 7)`;
/** What makes two descriptions "the same" for repeated charges: computed by the database, in one place. */
export const DESCRIPTION_KEY = sql<string>`lower(trim(t.description))`;
/**
 * The month_totals key of a transfer. Transfers are kept there so the size limits count them,
 * and left out of every category, income and spending figure (ids are UUIDs: no category has it).
 */
export const TRANSFER_KEY = '>transfer';
const CATEGORY_KEY = sql<string>`CASE WHEN t.transfer_id IS NOT NULL THEN ${sql.lit(TRANSFER_KEY)} ELSE coalesce(t.category_id, '') END`;
/** A transaction's amount as far as its cleared balance goes: cleared and reconciled rows count. */
export const CLEARED_AMOUNT = sql<number>`CASE WHEN t.cleared = 'uncleared' THEN 0 ELSE t.amount_minor END`;

/**
 * Recomputes the stored monthly totals (per category and per account) and repeated charges of one user for the months
 * firstMonth..lastMonth (YYYY-MM) from the transactions themselves, per account currency, inside
 * the write's own database transaction, so the totals can never disagree with the rows. Writes of
 * many rows (imports, bulk edits, restores, removals) call this; a change of a few rows keeps the
 * same tables by difference instead (totals-delta.ts), which costs the rows changed rather than
 * the rows of their months. It then checks the user's volume limit, so a write that would take
 * the sums past it rolls back with a 400 instead of overflowing later.
 *
 * Call it (and applyTotalsChange) inside ledgerTransaction: one person's writes then run one
 * at a time on both engines, so two changes to one month cannot each miss the other's rows.
 */
export async function refreshMonthTotals(trx: Kysely<Database>, userSub: string, firstMonth: string, lastMonth: string, spanRows = RECOMPUTE_SPAN_ROWS): Promise<void> {
  // The stored totals still describe the rows as they were before this write.
  const before = await sizeOf(trx, userSub);
  for (const table of ['month_totals', 'month_repeats', 'account_month_totals'] as const) {
    await trx.deleteFrom(table).where('user_sub', '=', userSub).where('month', '>=', firstMonth).where('month', '<=', lastMonth).execute();
  }
  await trx.deleteFrom('day_totals').where('user_sub', '=', userSub).where('date', '>=', monthRange(firstMonth).first).where('date', '<=', monthRange(lastMonth).last).execute();
  for (const [first, last] of await recomputeSpans(trx, userSub, firstMonth, lastMonth, spanRows)) await insertTotals(trx, userSub, first, last);
  refuseIfOverLimits(before, await sizeOf(trx, userSub));
}

/**
 * Rows one recompute statement covers at most, in whole months (a month with more is a span of its
 * own): each statement then stops the process for a few milliseconds, and the transaction gives
 * the loop a turn between them (sqlite-dialect.ts), where recomputing 50,000 rows in one
 * statement per table stopped it for 1.9 s.
 */
export const RECOMPUTE_SPAN_ROWS = 5000;

/** The months of firstMonth..lastMonth that hold rows, as spans of consecutive such months of at most `spanRows` rows (or one month). */
async function recomputeSpans(trx: Kysely<Database>, userSub: string, firstMonth: string, lastMonth: string, spanRows: number): Promise<Array<[string, string]>> {
  const months = await trx
    .selectFrom('transactions as t')
    .where('t.user_sub', '=', userSub)
    .where('t.date', '>=', monthRange(firstMonth).first)
    .where('t.date', '<=', monthRange(lastMonth).last)
    .select((eb) => [MONTH.as('month'), eb.fn.countAll<number>().as('count')])
    .groupBy(MONTH)
    .orderBy('month')
    .execute();
  const spans: Array<[string, string]> = [];
  let rows = 0;
  for (const m of months) {
    const last = spans.at(-1);
    if (last && rows + Number(m.count) <= spanRows) {
      last[1] = m.month;
      rows += Number(m.count);
    } else {
      spans.push([m.month, m.month]);
      rows = Number(m.count);
    }
  }
  return spans;
}

/** Writes the totals of the rows of firstMonth..lastMonth, whose stored totals are gone. */
async function insertTotals(trx: Kysely<Database>, userSub: string, firstMonth: string, lastMonth: string): Promise<void> {
  const inMonths = () =>
    trx
      .selectFrom('transactions as t')
      .innerJoin('accounts as a', 'a.id', 't.account_id')
      .where('t.user_sub', '=', userSub)
      .where('t.date', '>=', monthRange(firstMonth).first)
      .where('t.date', '<=', monthRange(lastMonth).last);
  // What each category got: a whole transaction, or each part of a split one.
  const parts = inMonths()
    .where('t.split', '=', 0)
    .select(['t.user_sub', 't.date', 'a.currency', CATEGORY_KEY.as('category_key'), 't.amount_minor'])
    .unionAll(
      inMonths()
        .innerJoin('transaction_splits as s', 's.transaction_id', 't.id')
        .where('t.split', '=', 1)
        .select(['t.user_sub', 't.date', 'a.currency', sql<string>`coalesce(s.category_id, '')`.as('category_key'), 's.amount_minor']),
    );
  const PART_MONTH = sql<string>`substr(p.date, 1, 7)`;
  await trx
    .insertInto('month_totals')
    .columns(['user_sub', 'month', 'currency', 'category_key', 'total_minor', 'count', 'out_minor', 'out_count'])
    .expression(
      trx
        .selectFrom(parts.as('p'))
        .select(['p.user_sub', PART_MONTH.as('month'), 'p.currency', 'p.category_key', ...SUMS])
        .groupBy(['p.user_sub', PART_MONTH, 'p.currency', 'p.category_key']),
    )
    .execute();
  await trx
    .insertInto('day_totals')
    .columns(['user_sub', 'date', 'currency', 'category_key', 'total_minor', 'count', 'out_minor', 'out_count'])
    .expression(
      trx
        .selectFrom(parts.as('p'))
        .select(['p.user_sub', 'p.date', 'p.currency', 'p.category_key', ...SUMS])
        .groupBy(['p.user_sub', 'p.date', 'p.currency', 'p.category_key']),
    )
    .execute();
  await trx
    .insertInto('account_month_totals')
    .columns(['user_sub', 'account_id', 'month', 'total_minor', 'cleared_minor'])
    .expression(
      inMonths()
        .select((eb) => [
          't.user_sub',
          't.account_id',
          MONTH.as('month'),
          eb.fn.sum<number>('t.amount_minor').as('total_minor'),
          sql<number>`sum(${CLEARED_AMOUNT})`.as('cleared_minor'),
        ])
        .groupBy(['t.user_sub', 't.account_id', MONTH]),
    )
    .execute();
  await trx
    .insertInto('month_repeats')
    .columns(['user_sub', 'month', 'currency', 'amount_minor', 'description_key', 'count'])
    .expression(
      inMonths()
        .select((eb) => ['t.user_sub', MONTH.as('month'), 'a.currency', 't.amount_minor', DESCRIPTION_KEY.as('description_key'), eb.fn.countAll<number>().as('count')])
        .where('t.amount_minor', '<', 0)
        .where('t.transfer_id', 'is', null)
        .groupBy(['t.user_sub', MONTH, 'a.currency', 't.amount_minor', DESCRIPTION_KEY])
        .having((eb) => eb.fn.countAll(), '>', 1),
    )
    .execute();
}

/** A person's size as the stored totals give it: rows, and all amounts added up without their signs. */
export interface LedgerSize {
  rows: number;
  volume: number;
}

/**
 * Over a limit and growing: refused with a 400, and the write's transaction rolls back. A write
 * that shrinks (a delete) always passes.
 */
export function refuseIfOverLimits(before: LedgerSize, after: LedgerSize): void {
  if (after.volume > MAX_VOLUME_MINOR && after.volume > before.volume) throw new VolumeLimitError();
  if (after.rows > MAX_TRANSACTIONS && after.rows > before.rows) {
    throw new HttpError(400, `That would make more than ${MAX_TRANSACTIONS.toLocaleString('en-US')} transactions, the most the app keeps for one person. Nothing was saved.`);
  }
}

/**
 * Transactions one person may keep. A bulk change recomputes its months from the rows, so this
 * also bounds the work one such change can cause.
 */
export const MAX_TRANSACTIONS = 200_000;

/**
 * How many transactions a user has, and all their amounts added up without their signs: the row
 * the database keeps from the stored totals (migration 024), one read by its key however long the
 * person's history.
 */
const sizeQuery = compiledQuery((db, userSub: string) => db.selectFrom('ledger_sizes').select(['row_count as rows', 'volume_minor as volume']).where('user_sub', '=', userSub));

export async function sizeOf(db: Kysely<Database>, userSub: string): Promise<LedgerSize> {
  const [r] = await sizeQuery(db, userSub);
  return { rows: Number(r?.rows ?? 0), volume: Number(r?.volume ?? 0) };
}

/** A write that would take the user's amounts past MAX_VOLUME_MINOR: refused, nothing written. */
export class VolumeLimitError extends HttpError {
  constructor() {
    super(400, `These amounts would take the sum of all your amounts (in and out) past ${VOLUME_TEXT}, the most the app keeps for one person. Nothing was saved.`);
  }
}

/** The first and last month (YYYY-MM) among some dates (YYYY-MM-DD). */
export function monthSpan(dates: string[]): [string, string] | null {
  const span = dateSpan(dates);
  return span && [span[0].slice(0, 7), span[1].slice(0, 7)];
}
