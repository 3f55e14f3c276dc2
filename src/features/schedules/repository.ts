import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { HttpError } from '../../http/errors.js';
import { insertTransactionRows } from '../transactions/repository.js';
import { DESCRIPTION_KEY } from '../transactions/month-totals.js';
import type { Frequency } from './recurrence.js';

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

const values = (s: ScheduleInput) => ({
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
      await db.transaction().execute(async (trx) => {
        const n = await trx.selectFrom('schedules').select((eb) => eb.fn.countAll<number>().as('n')).where('user_sub', '=', userSub).executeTakeFirstOrThrow();
        if (Number(n.n) >= MAX_SCHEDULES) throw new HttpError(400, `You have ${MAX_SCHEDULES} schedules, the most there can be. Delete one you no longer need first.`);
        await trx.insertInto('schedules').values({ id, user_sub: userSub, ...values(s), created_at: now.toISOString() }).execute();
      });
      return id;
    },

    async update(userSub: string, id: string, s: ScheduleInput): Promise<boolean> {
      const r = await db.updateTable('schedules').set(values(s)).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
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
      return db.transaction().execute(async (trx) => {
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
      const rows = await db
        .selectFrom('transactions as t')
        .select([
          't.account_id',
          't.amount_minor',
          sql<string>`max(t.description)`.as('description'),
          sql<string | null>`max(t.category_id)`.as('category_id'),
          sql<number>`count(distinct substr(t.date, 1, 7))`.as('months'),
          sql<string>`max(t.date)`.as('last_date'),
        ])
        .where('t.user_sub', '=', userSub)
        .where('t.date', '>=', from)
        .where('t.date', '<=', to)
        .where('t.transfer_id', 'is', null)
        .groupBy(['t.account_id', DESCRIPTION_KEY, 't.amount_minor'])
        .having(sql`count(distinct substr(t.date, 1, 7))`, '>=', 3)
        .orderBy('months', 'desc')
        .orderBy(sql`abs(t.amount_minor)`, 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ accountId: r.account_id, description: r.description, amountMinor: Number(r.amount_minor), categoryId: r.category_id, months: Number(r.months), lastDate: r.last_date }));
    },
  };
}

export type SchedulesRepository = ReturnType<typeof createSchedulesRepository>;
