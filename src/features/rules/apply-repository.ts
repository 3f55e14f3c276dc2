import { ledgerTransaction } from '../../db/engine.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { monthSpan, refreshMonthTotals } from '../transactions/month-totals.js';

/** A transaction as rules see it. */
export interface RuleTarget {
  id: string;
  accountId: string;
  date: string;
  description: string;
  memo: string | null;
  amountMinor: number;
  categoryId: string | null;
}

/** What applying the rules changes in one transaction. */
export interface RuleChange {
  id: string;
  date: string;
  categoryId: string;
  description: string;
}

const PAGE = 5000;
const UPDATE_CHUNK = 500;

/** The SQL of "apply rules to existing transactions"; every statement is scoped by the owner's sub. */
export function createRuleApplyRepository(db: Kysely<Database>) {
  return {
    /**
     * The rows rules may change (not transfers, not split ones), a page at a time in (date, id)
     * order after `after`: the caller pauses between pages.
     */
    async page(userSub: string, after: { date: string; id: string } | null): Promise<RuleTarget[]> {
      let q = db
        .selectFrom('transactions')
        .select(['id', 'account_id', 'date', 'description', 'memo', 'amount_minor', 'category_id'])
        .where('user_sub', '=', userSub)
        .where('transfer_id', 'is', null)
        .where('split', '=', 0);
      if (after) q = q.where((eb) => eb(eb.refTuple('date', 'id'), '>', eb.tuple(after.date, after.id)));
      const rows = await q.orderBy('date').orderBy('id').limit(PAGE).execute();
      return rows.map((r) => ({ id: r.id, accountId: r.account_id, date: r.date, description: r.description, memo: r.memo, amountMinor: Number(r.amount_minor), categoryId: r.category_id }));
    },

    pageSize: PAGE,

    /**
     * Writes the changes in one transaction (all or none), rows with the same new category and
     * payee in one statement per chunk, then the stored totals of the months touched.
     */
    async apply(userSub: string, changes: RuleChange[]): Promise<void> {
      if (changes.length === 0) return;
      const groups = new Map<string, RuleChange[]>();
      for (const c of changes) {
        const key = JSON.stringify([c.categoryId, c.description]);
        const list = groups.get(key);
        if (list) list.push(c);
        else groups.set(key, [c]);
      }
      await ledgerTransaction(db, userSub, async (trx) => {
        for (const list of groups.values()) {
          const { categoryId, description } = list[0]!;
          for (let i = 0; i < list.length; i += UPDATE_CHUNK) {
            const ids = list.slice(i, i + UPDATE_CHUNK).map((c) => c.id);
            await trx.updateTable('transactions').set({ category_id: categoryId, description }).where('user_sub', '=', userSub).where('transfer_id', 'is', null).where('split', '=', 0).where('id', 'in', ids).execute();
          }
        }
        const span = monthSpan(changes.map((c) => c.date));
        if (span) await refreshMonthTotals(trx, userSub, ...span);
      });
    },
  };
}

export type RuleApplyRepository = ReturnType<typeof createRuleApplyRepository>;
