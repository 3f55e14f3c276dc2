import { compiledQuery } from '../../db/compiled-query.js';
import { ledgerTransaction } from '../../db/engine.js';
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { CLEARED_AMOUNT } from '../transactions/month-totals.js';
import type { AccountType } from './types.js';

export interface Account {
  id: string;
  name: string;
  currency: string;
  archived: boolean;
  type: AccountType;
  /** The balance on `openingDate` (or before the first transaction when there is no date). */
  openingBalance: number;
  openingDate: string | null;
  /** A credit card's limit (positive), or null. */
  creditLimit: number | null;
}

export interface AccountInput {
  name: string;
  currency: string;
  type: AccountType;
  openingBalance: number;
  openingDate: string | null;
  creditLimit?: number | null;
}

/** Sums of one account's transactions: all of them, and the cleared or reconciled ones. */
export interface AccountSums {
  total: number;
  cleared: number;
}

/** Finished reconciliations kept per account (the newest statements). */
export const RECONCILIATIONS_KEPT = 100;

const COLUMNS = ['id', 'name', 'currency', 'archived', 'type', 'opening_balance_minor', 'opening_date', 'credit_limit_minor'] as const;

function toAccount(r: { id: string; name: string; currency: string; archived: number; type: string; opening_balance_minor: number; opening_date: string | null; credit_limit_minor: number | null }): Account {
  return {
    id: r.id,
    name: r.name,
    currency: r.currency,
    archived: r.archived === 1,
    type: r.type as AccountType,
    openingBalance: Number(r.opening_balance_minor),
    openingDate: r.opening_date,
    creditLimit: r.credit_limit_minor === null ? null : Number(r.credit_limit_minor),
  };
}

/** Accounts per person (archived ones count): every finance page lists them. */
export const MAX_ACCOUNTS = 100;

/** Every finance page and every ledger form lists them: compiled once, both ways. */
const everyAccount = compiledQuery((db, userSub: string) => db.selectFrom('accounts').select(COLUMNS).where('user_sub', '=', userSub).orderBy('archived').orderBy('name'));
const openAccounts = compiledQuery((db, userSub: string) => db.selectFrom('accounts').select(COLUMNS).where('user_sub', '=', userSub).where('archived', '=', 0).orderBy('archived').orderBy('name'));

/** One account by id, the owner's only: what a ledger form that names it checks. */
const oneAccount = compiledQuery((db, userSub: string, id: string) => db.selectFrom('accounts').select(COLUMNS).where('user_sub', '=', userSub).where('id', '=', id));

/** SQL for accounts; every statement is scoped by the owner's sub. */
export function createAccountsRepository(db: Kysely<Database>) {
  return {
    async list(userSub: string, opts: { includeArchived: boolean }): Promise<Account[]> {
      const rows = await (opts.includeArchived ? everyAccount : openAccounts)(db, userSub);
      return rows.map(toAccount);
    },

    async find(userSub: string, id: string): Promise<Account | undefined> {
      const [r] = await oneAccount(db, userSub, id);
      return r && toAccount(r);
    },

    async create(userSub: string, a: Pick<AccountInput, 'name' | 'currency'> & Partial<AccountInput>, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await db
        .insertInto('accounts')
        .values({
          id,
          user_sub: userSub,
          name: a.name,
          currency: a.currency,
          archived: 0,
          created_at: now.toISOString(),
          type: a.type ?? 'checking',
          opening_balance_minor: a.openingBalance ?? 0,
          opening_date: a.openingDate ?? null,
          credit_limit_minor: a.creditLimit ?? null,
        })
        .execute();
      return id;
    },

    async update(userSub: string, id: string, a: { name: string; archived: boolean } & Partial<Pick<AccountInput, 'type' | 'openingBalance' | 'openingDate' | 'creditLimit'>>): Promise<boolean> {
      const r = await db
        .updateTable('accounts')
        .set({
          name: a.name,
          archived: a.archived ? 1 : 0,
          ...(a.type !== undefined ? { type: a.type } : {}),
          ...(a.openingBalance !== undefined ? { opening_balance_minor: a.openingBalance } : {}),
          ...(a.openingDate !== undefined ? { opening_date: a.openingDate } : {}),
          ...(a.creditLimit !== undefined ? { credit_limit_minor: a.creditLimit } : {}),
        })
        .where('user_sub', '=', userSub)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * Per account, the sum of its transactions dated on or before `upTo`, and of the cleared ones:
     * the stored monthly sums of the months before `upTo`'s, plus that month's rows up to the day.
     * So the work grows with months and accounts, not with transactions.
     */
    async sums(userSub: string, upTo: string, accountId?: string): Promise<Map<string, AccountSums>> {
      const out = new Map<string, AccountSums>();
      const add = (id: string, total: number, cleared: number) => {
        const s = out.get(id) ?? { total: 0, cleared: 0 };
        out.set(id, { total: s.total + total, cleared: s.cleared + cleared });
      };
      let past = db
        .selectFrom('account_month_totals')
        .select(['account_id', sql<number>`sum(total_minor)`.as('total'), sql<number>`sum(cleared_minor)`.as('cleared')])
        .where('user_sub', '=', userSub)
        .where('month', '<', upTo.slice(0, 7));
      if (accountId) past = past.where('account_id', '=', accountId);
      for (const r of await past.groupBy('account_id').execute()) add(r.account_id, Number(r.total), Number(r.cleared));
      let current = db
        .selectFrom('transactions as t')
        .select(['t.account_id', sql<number>`sum(t.amount_minor)`.as('total'), sql<number>`sum(${CLEARED_AMOUNT})`.as('cleared')])
        .where('t.user_sub', '=', userSub)
        .where('t.date', '>=', `${upTo.slice(0, 7)}-01`)
        .where('t.date', '<=', upTo);
      if (accountId) current = current.where('t.account_id', '=', accountId);
      for (const r of await current.groupBy('t.account_id').execute()) add(r.account_id, Number(r.total), Number(r.cleared));
      return out;
    },

    /** Per account and month (YYYY-MM), the sum of its transactions dated on or before `upTo` (stored sums, and `upTo`'s month from its rows). */
    async monthlySums(userSub: string, upTo: string): Promise<Array<{ accountId: string; month: string; total: number }>> {
      const month = upTo.slice(0, 7);
      const [past, current] = await Promise.all([
        db.selectFrom('account_month_totals').select(['account_id', 'month', 'total_minor']).where('user_sub', '=', userSub).where('month', '<', month).execute(),
        db
          .selectFrom('transactions')
          .select(['account_id', sql<number>`sum(amount_minor)`.as('total')])
          .where('user_sub', '=', userSub)
          .where('date', '>=', `${month}-01`)
          .where('date', '<=', upTo)
          .groupBy('account_id')
          .execute(),
      ]);
      return [
        ...past.map((r) => ({ accountId: r.account_id, month: r.month, total: Number(r.total_minor) })),
        ...current.map((r) => ({ accountId: r.account_id, month, total: Number(r.total) })),
      ];
    },

    /** The account's transactions up to `upTo` that are not cleared yet, oldest first (at most `limit`). */
    async uncleared(userSub: string, accountId: string, upTo: string, limit: number) {
      const rows = await db
        .selectFrom('transactions')
        .select(['id', 'date', 'description', 'amount_minor'])
        .where('user_sub', '=', userSub)
        .where('account_id', '=', accountId)
        .where('date', '<=', upTo)
        .where('cleared', '=', 'uncleared')
        .orderBy('date')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, date: r.date, description: r.description, amountMinor: Number(r.amount_minor) }));
    },

    /**
     * Marks the account's cleared transactions up to the statement date reconciled and keeps the
     * statement, in one transaction. Resolves to how many transactions it marked.
     */
    async reconcile(userSub: string, accountId: string, statement: { date: string; balance: number }, now: Date): Promise<number> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const r = await trx
          .updateTable('transactions')
          .set({ cleared: 'reconciled' })
          .where('user_sub', '=', userSub)
          .where('account_id', '=', accountId)
          .where('date', '<=', statement.date)
          .where('cleared', '=', 'cleared')
          .executeTakeFirst();
        const marked = Number(r.numUpdatedRows);
        await trx
          .insertInto('reconciliations')
          .values({
            id: crypto.randomUUID(),
            user_sub: userSub,
            account_id: accountId,
            statement_date: statement.date,
            statement_balance_minor: statement.balance,
            transactions: marked,
            created_at: now.toISOString(),
          })
          .execute();
        // Only the latest statements are kept, so repeating "finish" cannot grow the table without end.
        const keep = trx
          .selectFrom('reconciliations')
          .select('id')
          .where('user_sub', '=', userSub)
          .where('account_id', '=', accountId)
          .orderBy('statement_date', 'desc')
          .orderBy('created_at', 'desc')
          .limit(RECONCILIATIONS_KEPT);
        await trx.deleteFrom('reconciliations').where('user_sub', '=', userSub).where('account_id', '=', accountId).where('id', 'not in', keep).execute();
        return marked;
      });
    },

    async lastReconciliation(userSub: string, accountId: string): Promise<{ statementDate: string; statementBalance: number } | undefined> {
      const r = await db
        .selectFrom('reconciliations')
        .select(['statement_date', 'statement_balance_minor'])
        .where('user_sub', '=', userSub)
        .where('account_id', '=', accountId)
        .orderBy('statement_date', 'desc')
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      return r && { statementDate: r.statement_date, statementBalance: Number(r.statement_balance_minor) };
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
