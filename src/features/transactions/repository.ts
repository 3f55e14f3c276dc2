import { timeOrderedId } from '../../lib/ids.js';
import { CompiledQuery, sql, type Kysely, type Selectable } from 'kysely';
import type { Database, TransactionsTable } from '../../db/schema.js';
import { clearedStateOf, type ClearedState } from '../accounts/types.js';
import { monthRange } from '../money/dates.js';
import { DESCRIPTION_KEY, monthSpan, refreshMonthTotals, sizeOf } from './month-totals.js';

export interface Transaction {
  id: string;
  accountId: string;
  date: string;
  description: string;
  amountMinor: number;
  categoryId: string | null;
  importedId: string | null;
  memo: string | null;
  cleared: ClearedState;
}

export interface TransactionInput {
  accountId: string;
  date: string;
  description: string;
  amountMinor: number;
  categoryId: string | null;
  importedId?: string | null;
  memo?: string | null;
  /** Uncleared unless given; an edit keeps the stored state unless given. */
  cleared?: ClearedState;
}

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

export interface ListFilter {
  from: string;
  to: string;
  search?: string;
  categoryId?: string | null;
  limit?: number;
}

const COLUMNS = ['t.id', 't.account_id', 't.date', 't.description', 't.amount_minor', 't.category_id', 't.imported_id', 't.memo', 't.cleared'] as const;

function toTransaction(r: Omit<Selectable<TransactionsTable>, 'user_sub' | 'created_at'>): Transaction {
  return {
    id: r.id,
    accountId: r.account_id,
    date: r.date,
    description: r.description,
    amountMinor: Number(r.amount_minor),
    categoryId: r.category_id,
    importedId: r.imported_id,
    memo: r.memo,
    cleared: clearedStateOf(r.cleared),
  };
}

export interface PageFilter {
  from: string;
  to: string;
  accountId?: string;
  /** null: uncategorised only. */
  categoryId?: string | null;
  search?: string;
}

/** Case-insensitive substring match on description or memo, LIKE's wildcards in the text escaped (same SQL on SQLite and PostgreSQL). */
function searchCondition(search: string) {
  const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`(lower(t.description) like ${pattern} escape '\\' or lower(coalesce(t.memo, '')) like ${pattern} escape '\\')`;
}

/** Rows per insert statement: 10 parameters each stays far below SQLite's and PostgreSQL's limits. */
const INSERT_CHUNK = 1000;
/**
 * The insert statement per database and chunk size, built once by Kysely (its compile step costs
 * more than the insert itself). Per database, because the SQL text follows the dialect.
 */
const insertSql = new WeakMap<Kysely<Database>, Map<number, string>>();

/**
 * Inserts rows for one owner in chunks (each statement stays under the bound-parameter limit),
 * then brings the monthly totals of the months touched up to date. Pass a database transaction:
 * the batch and the totals are then all-or-nothing together. Kysely builds each chunk size's
 * statement once; the chunks then only bind their values, in the same column order.
 */
export async function insertTransactionRows(db: Kysely<Database>, userSub: string, rows: Array<TransactionInput & { id?: string }>, createdAt: string): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK).map((t) => ({
      id: t.id ?? timeOrderedId(),
      user_sub: userSub,
      account_id: t.accountId,
      date: t.date,
      description: t.description,
      amount_minor: t.amountMinor,
      category_id: t.categoryId,
      imported_id: t.importedId ?? null,
      memo: t.memo ?? null,
      created_at: createdAt,
      cleared: t.cleared ?? 'uncleared',
    }));
    let bySize = insertSql.get(db);
    if (!bySize) insertSql.set(db, (bySize = new Map()));
    let text = bySize.get(chunk.length);
    if (text === undefined) {
      text = db.insertInto('transactions').values(chunk).compile().sql;
      bySize.set(chunk.length, text);
    }
    // Kysely binds the values row by row in the objects' key order, as Object.values gives them.
    const params: unknown[] = [];
    for (const r of chunk) params.push(...Object.values(r));
    await db.executeQuery(CompiledQuery.raw(text, params));
  }
  const span = monthSpan(rows.map((r) => r.date));
  if (span) await refreshMonthTotals(db, userSub, ...span);
}

/** SQL for transactions; every statement is scoped by the owner's sub. */
export function createTransactionsRepository(db: Kysely<Database>) {
  return {
    async list(userSub: string, f: ListFilter): Promise<Transaction[]> {
      let q = db.selectFrom('transactions as t').select(COLUMNS).where('t.user_sub', '=', userSub).where('t.date', '>=', f.from).where('t.date', '<=', f.to);
      if (f.search) q = q.where(searchCondition(f.search));
      if (f.categoryId === null) q = q.where('t.category_id', 'is', null);
      else if (f.categoryId) q = q.where('t.category_id', '=', f.categoryId);
      const rows = await q.orderBy('t.date', 'desc').orderBy('t.created_at', 'desc').limit(f.limit ?? 5000).execute();
      return rows.map(toTransaction);
    },

    /**
     * Newest first by (date, id), at most `limit`, after a keyset position: the API's pages. A
     * stable order (ids are unique), so a cursor never skips or repeats a row between pages.
     */
    async page(userSub: string, f: PageFilter, after: { date: string; id: string } | null, limit: number): Promise<Array<Transaction & { currency: string }>> {
      let q = db
        .selectFrom('transactions as t')
        .innerJoin('accounts as a', 'a.id', 't.account_id')
        .select([...COLUMNS, 'a.currency'])
        .where('t.user_sub', '=', userSub)
        .where('t.date', '>=', f.from)
        .where('t.date', '<=', f.to);
      if (f.accountId) q = q.where('t.account_id', '=', f.accountId);
      if (f.categoryId === null) q = q.where('t.category_id', 'is', null);
      else if (f.categoryId) q = q.where('t.category_id', '=', f.categoryId);
      if (f.search) q = q.where(searchCondition(f.search));
      if (after) q = q.where((eb) => eb.or([eb('t.date', '<', after.date), eb.and([eb('t.date', '=', after.date), eb('t.id', '<', after.id)])]));
      const rows = await q.orderBy('t.date', 'desc').orderBy('t.id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ ...toTransaction(r), currency: r.currency }));
    },

    async find(userSub: string, id: string): Promise<Transaction | undefined> {
      const r = await db.selectFrom('transactions as t').select(COLUMNS).where('t.user_sub', '=', userSub).where('t.id', '=', id).executeTakeFirst();
      return r && toTransaction(r);
    },

    async create(userSub: string, t: TransactionInput, now: Date): Promise<string> {
      const id = timeOrderedId();
      await db.transaction().execute((trx) => insertTransactionRows(trx, userSub, [{ ...t, id }], now.toISOString()));
      return id;
    },

    /** Inserts many rows in one database transaction: all of them or none. */
    async insertMany(userSub: string, rows: TransactionInput[], now: Date): Promise<number> {
      await db.transaction().execute((trx) => insertTransactionRows(trx, userSub, rows, now.toISOString()));
      return rows.length;
    },

    async update(userSub: string, id: string, t: TransactionInput): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('transactions').select('date').where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
        if (!before) return false;
        await trx
          .updateTable('transactions')
          .set({
            account_id: t.accountId,
            date: t.date,
            description: t.description,
            amount_minor: t.amountMinor,
            category_id: t.categoryId,
            memo: t.memo ?? null,
            ...(t.cleared ? { cleared: t.cleared } : {}),
          })
          .where('user_sub', '=', userSub)
          .where('id', '=', id)
          .execute();
        // Both months: the one the row left and the one it moved to.
        await refreshMonthTotals(trx, userSub, ...monthSpan([before.date, t.date])!);
        return true;
      });
    },

    /** Marks one transaction cleared or uncleared; its month's cleared totals follow in the same transaction. */
    async setCleared(userSub: string, id: string, cleared: ClearedState): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('transactions').select('date').where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
        if (!before) return false;
        await trx.updateTable('transactions').set({ cleared }).where('user_sub', '=', userSub).where('id', '=', id).execute();
        await refreshMonthTotals(trx, userSub, ...monthSpan([before.date])!);
        return true;
      });
    },

    async remove(userSub: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('transactions').select('date').where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
        if (!before) return false;
        await trx.deleteFrom('transactions').where('user_sub', '=', userSub).where('id', '=', id).execute();
        await refreshMonthTotals(trx, userSub, ...monthSpan([before.date])!);
        return true;
      });
    },

    /**
     * Money-out rows of a month (YYYY-MM) whose amount and description occur more than once in
     * it: the only rows duplicate detection needs to look at. The repeating pairs are stored
     * (month_repeats), so a month without any costs one small lookup.
     */
    async repeatedCharges(userSub: string, month: string, currency: string): Promise<Transaction[]> {
      const repeated = await db
        .selectFrom('month_repeats')
        .select(['amount_minor', 'description_key'])
        .where('user_sub', '=', userSub)
        .where('month', '=', month)
        .where('currency', '=', currency)
        .execute();
      if (repeated.length === 0) return [];
      // The key is compared as SQL computed it, so SQL's and JavaScript's ideas of lower case
      // and whitespace cannot disagree.
      const keys = new Set(repeated.map((r) => `${r.amount_minor}|${r.description_key}`));
      const amounts = [...new Set(repeated.map((r) => Number(r.amount_minor)))];
      const { first, last } = monthRange(month);
      let rows = db
        .selectFrom('transactions as t')
        .innerJoin('accounts as a', 'a.id', 't.account_id')
        .select([...COLUMNS, DESCRIPTION_KEY.as('d')])
        .where('t.user_sub', '=', userSub)
        .where('a.currency', '=', currency)
        .where('t.date', '>=', first)
        .where('t.date', '<=', last)
        .where('t.amount_minor', '<', 0);
      if (amounts.length <= 500) rows = rows.where('t.amount_minor', 'in', amounts);
      return (await rows.orderBy('t.date').execute()).filter((r) => keys.has(`${r.amount_minor}|${r.d}`)).map(toTransaction);
    },

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

    /** How many transactions the user has, and their amounts added up without signs (what the limits count). */
    size: (userSub: string) => sizeOf(db, userSub),
  };
}

export type TransactionsRepository = ReturnType<typeof createTransactionsRepository>;
