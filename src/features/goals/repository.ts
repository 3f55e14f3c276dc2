import { ledgerTransaction } from '../../db/engine.js';
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface Goal {
  id: string;
  name: string;
  target: number;
  /** What was saved when the goal was set, plus every contribution since. */
  saved: number;
  targetDate: string;
  /** The currency the amounts are in (the main currency when the goal was set). */
  currency: string;
}

export interface GoalInput {
  name: string;
  target: number;
  /** Saved before any contribution was recorded (the form's "saved so far" less contributions). */
  saved: number;
  targetDate: string;
  currency: string;
}

export interface Contribution {
  id: string;
  date: string;
  amount: number;
}

/** Goals per person: each is paced on the dashboard on every view. */
export const MAX_GOALS = 100;
/** Contributions per goal: one a day for years. */
export const MAX_CONTRIBUTIONS = 2000;

/** SQL for goals and their contributions; every statement is scoped by the owner's sub. */
export function createGoalsRepository(db: Kysely<Database>) {
  const contributed = sql<number>`coalesce((select sum(c.amount_minor) from goal_contributions c where c.goal_id = g.id and c.user_sub = g.user_sub), 0)`;
  const goals = (userSub: string) =>
    db
      .selectFrom('goals as g')
      .select(['g.id', 'g.name', 'g.target_minor', 'g.saved_minor', 'g.target_date', 'g.currency', contributed.as('contributed')])
      .where('g.user_sub', '=', userSub);
  type Row = Awaited<ReturnType<ReturnType<typeof goals>['execute']>>[number];
  const toGoal = (r: Row): Goal => ({ id: r.id, name: r.name, target: Number(r.target_minor), saved: Number(r.saved_minor) + Number(r.contributed), targetDate: r.target_date, currency: r.currency });

  return {
    async list(userSub: string): Promise<Goal[]> {
      return (await goals(userSub).orderBy('g.target_date').orderBy('g.id').execute()).map(toGoal);
    },

    async find(userSub: string, id: string): Promise<Goal | undefined> {
      const r = await goals(userSub).where('g.id', '=', id).executeTakeFirst();
      return r && toGoal(r);
    },

    async create(userSub: string, g: GoalInput, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await db
        .insertInto('goals')
        .values({ id, user_sub: userSub, name: g.name, target_minor: g.target, saved_minor: g.saved, target_date: g.targetDate, currency: g.currency, created_at: now.toISOString() })
        .execute();
      return id;
    },

    /** Changes a goal; `saved` is the new total saved, so the stored start is that less the contributions. */
    async update(userSub: string, id: string, g: Omit<GoalInput, 'currency'>): Promise<boolean> {
      return ledgerTransaction(db, userSub, async (trx) => {
        const sum = await trx.selectFrom('goal_contributions').select(sql<number>`coalesce(sum(amount_minor), 0)`.as('n')).where('user_sub', '=', userSub).where('goal_id', '=', id).executeTakeFirstOrThrow();
        const r = await trx
          .updateTable('goals')
          .set({ name: g.name, target_minor: g.target, saved_minor: g.saved - Number(sum.n), target_date: g.targetDate })
          .where('user_sub', '=', userSub)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) === 1;
      });
    },

    async remove(userSub: string, id: string): Promise<boolean> {
      return ledgerTransaction(db, userSub, async (trx) => {
        await trx.deleteFrom('goal_contributions').where('user_sub', '=', userSub).where('goal_id', '=', id).execute();
        const r = await trx.deleteFrom('goals').where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) === 1;
      });
    },

    async contributions(userSub: string, goalId: string, limit = 20): Promise<Contribution[]> {
      const rows = await db.selectFrom('goal_contributions').select(['id', 'date', 'amount_minor']).where('user_sub', '=', userSub).where('goal_id', '=', goalId).orderBy('date', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, date: r.date, amount: Number(r.amount_minor) }));
    },

    async contributionCount(userSub: string, goalId: string): Promise<number> {
      const r = await db.selectFrom('goal_contributions').select((eb) => eb.fn.countAll<number>().as('n')).where('user_sub', '=', userSub).where('goal_id', '=', goalId).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async contribute(userSub: string, goalId: string, c: Omit<Contribution, 'id'>, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await db.insertInto('goal_contributions').values({ id, user_sub: userSub, goal_id: goalId, date: c.date, amount_minor: c.amount, created_at: now.toISOString() }).execute();
      return id;
    },
  };
}

export type GoalsRepository = ReturnType<typeof createGoalsRepository>;
