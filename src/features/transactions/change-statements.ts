import { sql, type Kysely } from 'kysely';
import { compiledQuery } from '../../db/compiled-query.js';
import type { Database } from '../../db/schema.js';
import { CLEARED_AMOUNT, DESCRIPTION_KEY } from './month-totals.js';

/**
 * The statements of a change of a few rows have fixed shapes: Kysely builds and compiles each once
 * (compiledQuery), and a change only binds its values. Building them cost about as much as running them.
 */
export const shareRows = (db: Kysely<Database>) =>
  db
    .selectFrom('transactions as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .select(['t.id', 't.date', 'a.currency', 't.account_id', 't.amount_minor', 't.transfer_id', 't.category_id', 't.split', CLEARED_AMOUNT.as('cleared_amount'), DESCRIPTION_KEY.as('description_key')]);
export const shareOfOne = compiledQuery((db, userSub: string, id: string) => shareRows(db).where('t.user_sub', '=', userSub).where('t.id', '=', id));

/** Adds to one key's sums (inserting it the first time), per table; and removes a key left with no rows. */
function sumsStatements(table: 'month_totals' | 'day_totals', period: 'month' | 'date') {
  const keyColumns = table === 'month_totals' ? (['user_sub', 'month', 'currency', 'category_key'] as const) : (['user_sub', 'currency', 'date', 'category_key'] as const);
  return {
    upsert: compiledQuery((db, userSub: string, at: string, currency: string, categoryKey: string, total: number, count: number, out: number, outCount: number) =>
      db
        .insertInto(table)
        .values({ user_sub: userSub, [period]: at, currency, category_key: categoryKey, total_minor: total, count, out_minor: out, out_count: outCount } as never)
        .onConflict((oc) =>
          oc.columns([...keyColumns] as never).doUpdateSet((eb) => ({
            total_minor: eb(eb.ref(`${table}.total_minor` as never), '+', eb.ref('excluded.total_minor' as never)),
            count: eb(eb.ref(`${table}.count` as never), '+', eb.ref('excluded.count' as never)),
            out_minor: eb(eb.ref(`${table}.out_minor` as never), '+', eb.ref('excluded.out_minor' as never)),
            out_count: eb(eb.ref(`${table}.out_count` as never), '+', eb.ref('excluded.out_count' as never)),
          })),
        ),
    ),
    dropEmpty: compiledQuery((db, userSub: string, at: string, currency: string, categoryKey: string) =>
      db
        .deleteFrom(table as 'month_totals')
        .where('user_sub', '=', userSub)
        .where(period as 'month', '=', at)
        .where('currency', '=', currency)
        .where('category_key', '=', categoryKey)
        .where('count', '=', 0),
    ),
  };
}

export const SUMS = { month_totals: sumsStatements('month_totals', 'month'), day_totals: sumsStatements('day_totals', 'date') };

export const upsertAccountMonth = compiledQuery((db, userSub: string, accountId: string, month: string, total: number, cleared: number) =>
  db
    .insertInto('account_month_totals')
    .values({ user_sub: userSub, account_id: accountId, month, total_minor: total, cleared_minor: cleared })
    .onConflict((oc) =>
      oc.columns(['user_sub', 'account_id', 'month']).doUpdateSet((eb) => ({
        total_minor: eb(eb.ref('account_month_totals.total_minor'), '+', eb.ref('excluded.total_minor')),
        cleared_minor: eb(eb.ref('account_month_totals.cleared_minor'), '+', eb.ref('excluded.cleared_minor')),
      })),
    ),
);

/** The account's month row, when the account has no transactions left in that month. */
export const dropEmptyAccountMonth = compiledQuery((db, userSub: string, accountId: string, month: string, first: string, last: string) =>
  db
    .deleteFrom('account_month_totals')
    .where('user_sub', '=', userSub)
    .where('account_id', '=', accountId)
    .where('month', '=', month)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('transactions')
            .select(sql.lit(1).as('one'))
            .whereRef('transactions.user_sub', '=', 'account_month_totals.user_sub')
            .whereRef('transactions.account_id', '=', 'account_month_totals.account_id')
            .where('transactions.date', '>=', first)
            .where('transactions.date', '<=', last),
        ),
      ),
    ),
);

export const REPEAT = {
  count: compiledQuery((db, userSub: string, month: string, currency: string, amount: number, descriptionKey: string) =>
    db.selectFrom('month_repeats').select('count').where('user_sub', '=', userSub).where('month', '=', month).where('currency', '=', currency).where('amount_minor', '=', amount).where('description_key', '=', descriptionKey),
  ),
  update: compiledQuery((db, count: number, userSub: string, month: string, currency: string, amount: number, descriptionKey: string) =>
    db.updateTable('month_repeats').set({ count }).where('user_sub', '=', userSub).where('month', '=', month).where('currency', '=', currency).where('amount_minor', '=', amount).where('description_key', '=', descriptionKey),
  ),
  remove: compiledQuery((db, userSub: string, month: string, currency: string, amount: number, descriptionKey: string) =>
    db.deleteFrom('month_repeats').where('user_sub', '=', userSub).where('month', '=', month).where('currency', '=', currency).where('amount_minor', '=', amount).where('description_key', '=', descriptionKey),
  ),
  insert: compiledQuery((db, userSub: string, month: string, currency: string, amount: number, descriptionKey: string, count: number) =>
    db.insertInto('month_repeats').values({ user_sub: userSub, month, currency, amount_minor: amount, description_key: descriptionKey, count }),
  ),
  /** How often the key occurs in the month's rows, counting no further than `enough`. */
  inRows: compiledQuery((db, userSub: string, first: string, last: string, amount: number, currency: string, descriptionKey: string, enough: number) =>
    db
      .selectFrom((eb) =>
        eb
          .selectFrom('transactions as t')
          .innerJoin('accounts as a', 'a.id', 't.account_id')
          .select(sql.lit(1).as('one'))
          .where('t.user_sub', '=', userSub)
          .where('t.date', '>=', first)
          .where('t.date', '<=', last)
          .where('t.amount_minor', '=', amount)
          .where('t.transfer_id', 'is', null)
          .where('a.currency', '=', currency)
          .where(DESCRIPTION_KEY, '=', descriptionKey)
          .limit(enough)
          .as('m'),
      )
      .select((eb) => eb.fn.countAll<number>().as('count')),
  ),
};


/** Editing one transaction: its row before the change, its new values, the other side of a transfer, its split parts. */
export const EDIT = {
  before: compiledQuery((db, userSub: string, id: string) => db.selectFrom('transactions').select(['date', 'transfer_id']).where('user_sub', '=', userSub).where('id', '=', id)),
  /** The edited row; `cleared` is set only when the form gave it (the other form keeps the stored state). */
  row: compiledQuery((db, accountId: string, date: string, description: string, amount: number, categoryId: string | null, memo: string | null, transferId: string | null, split: number, userSub: string, id: string) =>
    db.updateTable('transactions').set({ account_id: accountId, date, description, amount_minor: amount, category_id: categoryId, memo, transfer_id: transferId, split }).where('user_sub', '=', userSub).where('id', '=', id),
  ),
  rowCleared: compiledQuery((db, accountId: string, date: string, description: string, amount: number, categoryId: string | null, memo: string | null, transferId: string | null, split: number, cleared: string, userSub: string, id: string) =>
    db.updateTable('transactions').set({ account_id: accountId, date, description, amount_minor: amount, category_id: categoryId, memo, transfer_id: transferId, split, cleared }).where('user_sub', '=', userSub).where('id', '=', id),
  ),
  /** The other side of a transfer follows the edit. */
  peer: compiledQuery((db, accountId: string, date: string, description: string, memo: string | null, amount: number, userSub: string, id: string) =>
    db.updateTable('transactions').set({ account_id: accountId, date, description, memo, amount_minor: amount }).where('user_sub', '=', userSub).where('id', '=', id),
  ),
  peerCleared: compiledQuery((db, accountId: string, date: string, description: string, memo: string | null, amount: number, cleared: string, userSub: string, id: string) =>
    db.updateTable('transactions').set({ account_id: accountId, date, description, memo, amount_minor: amount, cleared }).where('user_sub', '=', userSub).where('id', '=', id),
  ),
  removeRow: compiledQuery((db, userSub: string, id: string) => db.deleteFrom('transactions').where('user_sub', '=', userSub).where('id', '=', id)),
  removeSplits: compiledQuery((db, userSub: string, transactionId: string) => db.deleteFrom('transaction_splits').where('user_sub', '=', userSub).where('transaction_id', '=', transactionId)),
};
