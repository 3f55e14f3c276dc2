import { ledgerTransaction } from '../../db/engine.js';
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { HttpError } from '../../http/errors.js';
import { insertTransactionRows } from '../transactions/repository.js';
import type { Frequency } from './recurrence.js';
import { giveWay } from '../../lib/cooperative.js';

export interface Schedule {
  id: string;
  accountId: string;
  description: string;
  amountMinor: number;
  categoryId: string | null;
  transferAccountId: string | null;
  frequency: Frequency;
  every: number;
  anchorDay: number;
  nextDate: string;
}

export type ScheduleInput = Omit<Schedule, 'id'>;

/** Rows per read when looking for repeated payees. */
const REPEATING_PAGE = 2000;

/** Schedules one person may keep. */
export const MAX_SCHEDULES = 100;

const COLUMNS = ['id', 'account_id', 'description', 'amount_minor', 'category_id', 'transfer_account_id', 'frequency', 'every', 'anchor_day', 'next_date'] as const;

function toSchedule(r: { id: string; account_id: string; description: string; amount_minor: number; category_id: string | null; transfer_account_id: string | null; frequency: string; every: number; anchor_day: number; next_date: string }): Schedule {
  return {
    id: r.id,
    accountId: r.account_id,
    description: r.description,
    amountMinor: Number(r.amount_minor),
    categoryId: r.category_id,
    transferAccountId: r.transfer_account_id,
    frequency: r.frequency as Frequency,
    every: Number(r.every),
    anchorDay: Number(r.anchor_day),
    nextDate: r.next_date,
  };
}

/** A schedule's columns as stored (the restore writes them through this too). */
export const scheduleValues = (s: ScheduleInput) => ({
  account_id: s.accountId,
  description: s.description,
  amount_minor: s.amountMinor,
  category_id: s.transferAccountId ? null : s.categoryId,
  transfer_account_id: s.transferAccountId,
  frequency: s.frequency,
  every: s.every,
  anchor_day: s.anchorDay,
  next_date: s.nextDate,
});

/** A money-out or money-in row that came back in three different months: a schedule candidate. */
export interface Repeating {
  accountId: string;
  description: string;
  amountMinor: number;
  categoryId: string | null;
  months: number;
  lastDate: string;
}

/** SQL for schedules; every statement is scoped by the owner's sub. */
export function createSchedulesRepository(db: Kysely<Database>) {
  return {
    async list(userSub: string): Promise<Schedule[]> {
      const rows = await db.selectFrom('schedules').select(COLUMNS).where('user_sub', '=', userSub).orderBy('next_date').orderBy('description').execute();
      return rows.map(toSchedule);
    },

    async find(userSub: string, id: string): Promise<Schedule | undefined> {
      const r = await db.selectFrom('schedules').select(COLUMNS).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return r && toSchedule(r);
    },

    /** Adds a schedule unless the person has MAX_SCHEDULES already (checked in the same transaction). */
    async create(userSub: string, s: ScheduleInput, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await ledgerTransaction(db, userSub, async (trx) => {
        const n = await trx.selectFrom('schedules').select((eb) => eb.fn.countAll<number>().as('n')).where('user_sub', '=', userSub).executeTakeFirstOrThrow();
        if (Number(n.n) >= MAX_SCHEDULES) throw new HttpError(400, `You have ${MAX_SCHEDULES} schedules, the most there can be. Delete one you no longer need first.`);
        await trx.insertInto('schedules').values({ id, user_sub: userSub, ...scheduleValues(s), created_at: now.toISOString() }).execute();
      });
      return id;
    },

    async update(userSub: string, id: string, s: ScheduleInput): Promise<boolean> {
      const r = await db.updateTable('schedules').set(scheduleValues(s)).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async remove(userSub: string, id: string): Promise<boolean> {
      const r = await db.deleteFrom('schedules').where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    /**
     * Enters the occurrence due on `dueDate` as a transaction and moves the schedule on to `next`
     * (null: it has no more dates and is removed), in one transaction. False when the schedule
     * is no longer at that date (entered already, from another tab): nothing is written then.
     */
    async enter(userSub: string, s: Schedule, next: string | null, now: Date): Promise<boolean> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const moved = next
          ? await trx.updateTable('schedules').set({ next_date: next }).where('user_sub', '=', userSub).where('id', '=', s.id).where('next_date', '=', s.nextDate).executeTakeFirst()
          : await trx.deleteFrom('schedules').where('user_sub', '=', userSub).where('id', '=', s.id).where('next_date', '=', s.nextDate).executeTakeFirst();
        if (Number('numUpdatedRows' in moved ? moved.numUpdatedRows : moved.numDeletedRows) !== 1) return false;
        const row = { accountId: s.accountId, date: s.nextDate, description: s.description, amountMinor: s.amountMinor, categoryId: s.categoryId, memo: null };
        await insertTransactionRows(trx, userSub, [s.transferAccountId ? { ...row, categoryId: null, transfer: { accountId: s.transferAccountId, amountMinor: -s.amountMinor } } : row], now.toISOString());
        return true;
      });
    },

    /**
     * Rows (not transfers) with the same account, payee and amount in at least three different
     * months between `from` and `to`: what looks like a bill or a salary. At most `limit`, the most
     * regular first; read through the (user, date) index, one range of dates.
     */
    async repeating(userSub: string, from: string, to: string, limit: number): Promise<Repeating[]> {
      // Grouped here rather than in SQL: one pass over the range's narrow rows is several times
      // faster than the database's GROUP BY with a distinct count.
      // Read a page at a time (keyset on date and id), giving way to other requests between pages.
      const rows: Array<{ id: string; account_id: string; amount_minor: number; description: string; category_id: string | null; date: string }> = [];
      for (let after: { date: string; id: string } | null = null; ; ) {
        let q = db
          .selectFrom('transactions as t')
          .select(['t.id', 't.account_id', 't.amount_minor', 't.description', 't.category_id', 't.date'])
          .where('t.user_sub', '=', userSub)
          .where('t.date', '<=', to)
          .where('t.transfer_id', 'is', null);
        const a = after;
        q = a ? q.where((eb) => eb(eb.refTuple('t.date', 't.id'), '>', eb.tuple(a.date, a.id))) : q.where('t.date', '>=', from);
        const page = await q.orderBy('t.date').orderBy('t.id').limit(REPEATING_PAGE).execute();
        rows.push(...page);
        if (page.length < REPEATING_PAGE) break;
        after = { date: page.at(-1)!.date, id: page.at(-1)!.id };
        await giveWay();
      }
      const groups = new Map<string, Repeating & { monthSet: Set<string> }>();
      for (const r of rows) {
        const key = `${r.account_id}|${Number(r.amount_minor)}|${r.description.trim().toLowerCase()}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { accountId: r.account_id, description: r.description, amountMinor: Number(r.amount_minor), categoryId: r.category_id, months: 0, lastDate: r.date, monthSet: new Set() }));
        g.monthSet.add(r.date.slice(0, 7));
        if (r.date >= g.lastDate) Object.assign(g, { lastDate: r.date, description: r.description, categoryId: r.category_id ?? g.categoryId });
      }
      return [...groups.values()]
        .filter((g) => g.monthSet.size >= 3)
        .map(({ monthSet, ...g }) => ({ ...g, months: monthSet.size }))
        .sort((a, b) => b.months - a.months || Math.abs(b.amountMinor) - Math.abs(a.amountMinor))
        .slice(0, limit);
    },
  };
}

export type SchedulesRepository = ReturnType<typeof createSchedulesRepository>;
