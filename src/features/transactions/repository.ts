import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface Transaction {
  id: string;
  accountId: string;
  date: string;
  description: string;
  amountMinor: number;
  categoryId: string | null;
  importedId: string | null;
}

export interface TransactionInput {
  accountId: string;
  date: string;
  description: string;
  amountMinor: number;
  categoryId: string | null;
  importedId?: string | null;
}

export interface ListFilter {
  from: string;
  to: string;
  search?: string;
  categoryId?: string | null;
  limit?: number;
}

const COLUMNS = ['id', 'account_id', 'date', 'description', 'amount_minor', 'category_id', 'imported_id'] as const;

function toTransaction(r: { id: string; account_id: string; date: string; description: string; amount_minor: number; category_id: string | null; imported_id: string | null }): Transaction {
  return { id: r.id, accountId: r.account_id, date: r.date, description: r.description, amountMinor: Number(r.amount_minor), categoryId: r.category_id, importedId: r.imported_id };
}

/**
 * Inserts rows for one owner in chunks (each statement stays under SQLite's bound-parameter
 * limit). Pass a database transaction to make a batch all-or-nothing.
 */
export async function insertTransactionRows(db: Kysely<Database>, userSub: string, rows: Array<TransactionInput & { id?: string }>, createdAt: string): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('transactions')
      .values(
        rows.slice(i, i + 500).map((t) => ({
          id: t.id ?? crypto.randomUUID(),
          user_sub: userSub,
          account_id: t.accountId,
          date: t.date,
          description: t.description,
          amount_minor: t.amountMinor,
          category_id: t.categoryId,
          imported_id: t.importedId ?? null,
          created_at: createdAt,
        })),
      )
      .execute();
  }
}

/** SQL for transactions; every statement is scoped by the owner's sub. */
export function createTransactionsRepository(db: Kysely<Database>) {
  return {
    async list(userSub: string, f: ListFilter): Promise<Transaction[]> {
      let q = db.selectFrom('transactions').select(COLUMNS).where('user_sub', '=', userSub).where('date', '>=', f.from).where('date', '<=', f.to);
      if (f.search) {
        // Case-insensitive substring match, with LIKE's wildcards in the search text escaped (same SQL on SQLite and PostgreSQL).
        const pattern = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where(sql<boolean>`lower(description) like ${pattern} escape '\\'`);
      }
      if (f.categoryId === null) q = q.where('category_id', 'is', null);
      else if (f.categoryId) q = q.where('category_id', '=', f.categoryId);
      const rows = await q.orderBy('date', 'desc').orderBy('created_at', 'desc').limit(f.limit ?? 5000).execute();
      return rows.map(toTransaction);
    },

    async find(userSub: string, id: string): Promise<Transaction | undefined> {
      const r = await db.selectFrom('transactions').select(COLUMNS).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return r && toTransaction(r);
    },

    async create(userSub: string, t: TransactionInput, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await insertTransactionRows(db, userSub, [{ ...t, id }], now.toISOString());
      return id;
    },

    /** Inserts many rows in one database transaction: all of them or none. */
    async insertMany(userSub: string, rows: TransactionInput[], now: Date): Promise<number> {
      await db.transaction().execute((trx) => insertTransactionRows(trx, userSub, rows, now.toISOString()));
      return rows.length;
    },

    async update(userSub: string, id: string, t: TransactionInput): Promise<boolean> {
      const r = await db
        .updateTable('transactions')
        .set({ account_id: t.accountId, date: t.date, description: t.description, amount_minor: t.amountMinor, category_id: t.categoryId })
        .where('user_sub', '=', userSub)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async remove(userSub: string, id: string): Promise<boolean> {
      const r = await db.deleteFrom('transactions').where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    /**
     * Money-out rows in [from, to] whose amount and description occur more than once there: the
     * only rows duplicate detection needs to look at, found by the database.
     */
    async repeatedCharges(userSub: string, from: string, to: string): Promise<Transaction[]> {
      const repeated = db
        .selectFrom('transactions')
        .select(['amount_minor', sql<string>`lower(trim(description))`.as('d')])
        .where('user_sub', '=', userSub)
        .where('date', '>=', from)
        .where('date', '<=', to)
        .where('amount_minor', '<', 0)
        .groupBy(['amount_minor', sql`lower(trim(description))`])
        .having((eb) => eb.fn.countAll(), '>', 1);
      const rows = await db
        .selectFrom('transactions as t')
        .innerJoin(repeated.as('r'), (join) => join.onRef('r.amount_minor', '=', 't.amount_minor').on(sql`r.d`, '=', sql`lower(trim(t.description))`))
        .select(['t.id', 't.account_id', 't.date', 't.description', 't.amount_minor', 't.category_id', 't.imported_id'])
        .where('t.user_sub', '=', userSub)
        .where('t.date', '>=', from)
        .where('t.date', '<=', to)
        .execute();
      return rows.map(toTransaction);
    },

    /** Per category and month, the sum of amounts, for [fromMonth, toMonth]: what coaching and budgets need. */
    async monthlyTotals(userSub: string, from: string, to: string): Promise<Array<{ month: string; categoryId: string | null; total: number; count: number }>> {
      const rows = await db
        .selectFrom('transactions')
        .select((eb) => [
          eb.fn<string>('substr', ['date', eb.val(1), eb.val(7)]).as('month'),
          'category_id',
          eb.fn.sum<number>('amount_minor').as('total'),
          eb.fn.countAll<number>().as('count'),
        ])
        .where('user_sub', '=', userSub)
        .where('date', '>=', from)
        .where('date', '<=', to)
        .groupBy(['month', 'category_id'])
        .execute();
      return rows.map((r) => ({ month: r.month, categoryId: r.category_id, total: Number(r.total), count: Number(r.count) }));
    },
  };
}

export type TransactionsRepository = ReturnType<typeof createTransactionsRepository>;
