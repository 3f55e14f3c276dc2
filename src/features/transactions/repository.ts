import { ledgerTransaction } from '../../db/engine.js';
import { timeOrderedId } from '../../lib/ids.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { clearedStateOf, type ClearedState } from '../accounts/types.js';
import { monthRange } from '../../money/dates.js';
import { DESCRIPTION_KEY } from './month-totals.js';
import { applyTotalsChange, totalsShareOf } from './totals-delta.js';
import { categoryCondition, filtered, searchCondition, type ListOrder, type PageFilter } from './filters.js';
import { createTotalsReads } from './totals.js';
import { insertTransactionRows, removeTransactionRow, updateTransactionRow, type SplitPart, type TransactionInput } from './writes.js';
import { withFields } from '../../lib/objects.js';

export type { MonthTotal } from './totals.js';
export { insertTransactionRows, type SplitPart, type TransactionInput, type TransferSide } from './writes.js';

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
  /** A transfer: the other row's id, account and cleared state. */
  transfer: { id: string; accountId: string; amountMinor: number; cleared: ClearedState } | null;
  /** The parts of a split transaction, in order; empty otherwise. */
  splits: SplitPart[];
}


export interface ListFilter {
  from: string;
  to: string;
  search?: string;
  categoryId?: string | null;
  limit?: number;
}

const COLUMNS = ['t.id', 't.account_id', 't.date', 't.description', 't.amount_minor', 't.category_id', 't.imported_id', 't.memo', 't.cleared', 't.split'] as const;
const PEER_COLUMNS = ['p.id as peer_id', 'p.account_id as peer_account', 'p.amount_minor as peer_amount', 'p.cleared as peer_cleared'] as const;

interface Row {
  id: string;
  account_id: string;
  date: string;
  description: string;
  amount_minor: number;
  category_id: string | null;
  imported_id: string | null;
  memo: string | null;
  cleared: string;
  split: number;
  peer_id: string | null;
  peer_account: string | null;
  peer_amount: number | null;
  peer_cleared: string | null;
}

function toTransaction(r: Row, splits: Map<string, SplitPart[]>): Transaction {
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
    transfer: r.peer_id ? { id: r.peer_id, accountId: r.peer_account!, amountMinor: Number(r.peer_amount), cleared: clearedStateOf(r.peer_cleared ?? '') } : null,
    splits: r.split === 1 ? (splits.get(r.id) ?? []) : [],
  };
}

/** Ids per split-parts lookup: a bound-parameter list both engines take. */
const SPLIT_LOOKUP = 500;

export { filtered, type ListOrder, type PageFilter } from './filters.js';

/** SQL for transactions; every statement is scoped by the owner's sub. */
export function createTransactionsRepository(db: Kysely<Database>) {
  /** Transactions with the other side of their transfer joined (same owner only). */
  const withPeer = () =>
    db
      .selectFrom('transactions as t')
      .leftJoin('transactions as p', (j) => j.onRef('p.id', '=', 't.transfer_id').on('p.user_sub', '=', sql.ref('t.user_sub')))
      .select([...COLUMNS, ...PEER_COLUMNS]);

  /** The parts of the split rows among `rows`, by transaction id, in a few bounded lookups. */
  async function splitsOf(userSub: string, rows: Row[]): Promise<Map<string, SplitPart[]>> {
    const ids = rows.filter((r) => r.split === 1).map((r) => r.id);
    const out = new Map<string, SplitPart[]>();
    for (let i = 0; i < ids.length; i += SPLIT_LOOKUP) {
      const parts = await db
        .selectFrom('transaction_splits')
        .select(['transaction_id', 'category_id', 'amount_minor', 'memo'])
        .where('user_sub', '=', userSub)
        .where('transaction_id', 'in', ids.slice(i, i + SPLIT_LOOKUP))
        .orderBy('transaction_id')
        .orderBy('seq')
        .execute();
      for (const p of parts) {
        let list = out.get(p.transaction_id);
        if (!list) out.set(p.transaction_id, (list = []));
        list.push({ categoryId: p.category_id, amountMinor: Number(p.amount_minor), memo: p.memo });
      }
    }
    return out;
  }

  async function complete(userSub: string, rows: Row[]): Promise<Transaction[]> {
    const splits = await splitsOf(userSub, rows);
    return rows.map((r) => toTransaction(r, splits));
  }

  return {
    async list(userSub: string, f: ListFilter): Promise<Transaction[]> {
      const q = withPeer().where('t.user_sub', '=', userSub).where('t.date', '>=', f.from).where('t.date', '<=', f.to);
      const withCategory = f.categoryId === null ? q.where('t.category_id', 'is', null) : f.categoryId ? q.where(categoryCondition(userSub, f.categoryId)) : q;
      const rows = await (f.search ? withCategory.where(searchCondition(f.search)) : withCategory).orderBy('t.date', 'desc').orderBy('t.created_at', 'desc').limit(f.limit ?? 5000).execute();
      return complete(userSub, rows);
    },

    /**
     * Newest first by (date, id), at most `limit`, after a keyset position: the API's pages. A
     * stable order (ids are unique), so a cursor never skips or repeats a row between pages.
     */
    async page(userSub: string, f: PageFilter, after: { date: string; id: string } | null, limit: number): Promise<Array<Transaction & { currency: string }>> {
      let q = filtered(withPeer().innerJoin('accounts as a', 'a.id', 't.account_id').select('a.currency').where('t.user_sub', '=', userSub), userSub, f);
      if (after) q = q.where((eb) => eb.or([eb('t.date', '<', after.date), eb.and([eb('t.date', '=', after.date), eb('t.id', '<', after.id)])]));
      const rows = await q.orderBy('t.date', 'desc').orderBy('t.id', 'desc').limit(limit).execute();
      return (await complete(userSub, rows)).map((t, i) => withFields(t, { currency: rows[i]!.currency }));
    },

    /** One page of the list in the chosen order: rows offset..offset+limit. */
    async search(userSub: string, f: PageFilter, order: ListOrder, offset: number, limit: number): Promise<Transaction[]> {
      let q = filtered(withPeer().where('t.user_sub', '=', userSub), userSub, f);
      if (order.sort === 'amount') q = q.orderBy('t.amount_minor', order.dir);
      else if (order.sort === 'payee') q = q.orderBy(sql`lower(t.description)`, order.dir);
      q = q.orderBy('t.date', order.sort === 'date' ? order.dir : 'desc').orderBy('t.id', order.sort === 'date' ? order.dir : 'desc');
      return complete(userSub, await q.limit(limit).offset(offset).execute());
    },

    /** How many rows the filter matches. */
    async count(userSub: string, f: PageFilter): Promise<number> {
      const r = await filtered(db.selectFrom('transactions as t').where('t.user_sub', '=', userSub), userSub, f)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** The account of the transaction written last: the add form's default. */
    async lastUsedAccountId(userSub: string): Promise<string | undefined> {
      const r = await db.selectFrom('transactions').select('account_id').where('user_sub', '=', userSub).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
      return r?.account_id;
    },

    async find(userSub: string, id: string): Promise<Transaction | undefined> {
      const r = await withPeer().where('t.user_sub', '=', userSub).where('t.id', '=', id).executeTakeFirst();
      return r && (await complete(userSub, [r]))[0];
    },

    /** Adds one transaction (for a transfer, both rows); returns its id. */
    async create(userSub: string, t: TransactionInput, now: Date): Promise<string> {
      const id = timeOrderedId();
      await ledgerTransaction(db, userSub, (trx) => insertTransactionRows(trx, userSub, [withFields(t, { id })], now.toISOString()));
      return id;
    },

    /** Inserts many rows in one database transaction: all of them or none. */
    async insertMany(userSub: string, rows: TransactionInput[], now: Date): Promise<number> {
      await ledgerTransaction(db, userSub, (trx) => insertTransactionRows(trx, userSub, rows, now.toISOString()));
      return rows.length;
    },

    /** Changes one transaction and whatever hangs on it (split parts, the transfer's other row) at once. */
    update(userSub: string, id: string, t: TransactionInput, now: Date): Promise<boolean> {
      return ledgerTransaction(db, userSub, (trx) => updateTransactionRow(trx, userSub, id, t, now.toISOString()));
    },

    /** Marks one transaction cleared or uncleared; its month's cleared totals follow in the same transaction. */
    async setCleared(userSub: string, id: string, cleared: ClearedState): Promise<boolean> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const before = await totalsShareOf(trx, userSub, [id]);
        if (before.rows.length === 0) return false;
        await trx.updateTable('transactions').set({ cleared }).where('user_sub', '=', userSub).where('id', '=', id).execute();
        await applyTotalsChange(trx, userSub, before, [id]);
        return true;
      });
    },

    /** Deletes one transaction; for a transfer, both of its rows. */
    remove(userSub: string, id: string): Promise<boolean> {
      return ledgerTransaction(db, userSub, (trx) => removeTransactionRow(trx, userSub, id));
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
        .where('t.amount_minor', '<', 0)
        .where('t.transfer_id', 'is', null);
      if (amounts.length <= 500) rows = rows.where('t.amount_minor', 'in', amounts);
      const found = (await rows.orderBy('t.date').execute()).filter((r) => keys.has(`${r.amount_minor}|${r.d}`));
      return found.map((r) => toTransaction(withFields(r, { peer_id: null, peer_account: null, peer_amount: null, peer_cleared: null }), new Map()));
    },

    ...createTotalsReads(db),
  };
}

export type TransactionsRepository = ReturnType<typeof createTransactionsRepository>;
