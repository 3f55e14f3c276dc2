import { ledgerTransaction } from '../../db/engine.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { monthSpan, refreshMonthTotals } from '../transactions/month-totals.js';

export interface Payee {
  name: string;
  count: number;
  lastDate: string;
}

/** Payees (the transactions' payee names); every statement is scoped by the owner's sub. */
export function createPayeesRepository(db: Kysely<Database>) {
  return {
    /** The most used payees first (those containing `search`, ignoring case), at most `limit`. */
    async list(userSub: string, search: string, limit: number): Promise<Payee[]> {
      let q = db
        .selectFrom('transactions as t')
        .select(['t.description', sql<number>`count(*)`.as('n'), sql<string>`max(t.date)`.as('last')])
        .where('t.user_sub', '=', userSub);
      if (search) q = q.where(sql<boolean>`lower(t.description) like ${`%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`);
      const rows = await q.groupBy('t.description').orderBy('n', 'desc').orderBy('t.description').limit(limit).execute();
      return rows.map((r) => ({ name: r.description, count: Number(r.n), lastDate: r.last }));
    },

    /**
     * Gives every transaction (and schedule) with one of the `from` payees the payee `to`, in one
     * transaction with the stored totals of the months touched. Returns how many transactions changed.
     */
    async rename(userSub: string, from: string[], to: string): Promise<number> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const span = await trx
          .selectFrom('transactions')
          .select([sql<string | null>`min(date)`.as('first'), sql<string | null>`max(date)`.as('last'), sql<number>`count(*)`.as('n')])
          .where('user_sub', '=', userSub)
          .where('description', 'in', from)
          .executeTakeFirstOrThrow();
        await trx.updateTable('transactions').set({ description: to }).where('user_sub', '=', userSub).where('description', 'in', from).execute();
        await trx.updateTable('schedules').set({ description: to }).where('user_sub', '=', userSub).where('description', 'in', from).execute();
        if (span.first && span.last) await refreshMonthTotals(trx, userSub, ...monthSpan([span.first, span.last])!);
        return Number(span.n);
      });
    },
  };
}

export type PayeesRepository = ReturnType<typeof createPayeesRepository>;
