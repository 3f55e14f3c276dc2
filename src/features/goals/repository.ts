import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface Goal {
  id: string;
  name: string;
  target: number;
  saved: number;
  targetDate: string;
  /** The currency the amounts are in (the main currency when the goal was set). */
  currency: string;
}

export function createGoalsRepository(db: Kysely<Database>) {
  return {
    async list(userSub: string): Promise<Goal[]> {
      const rows = await db.selectFrom('goals').select(['id', 'name', 'target_minor', 'saved_minor', 'target_date', 'currency']).where('user_sub', '=', userSub).orderBy('target_date').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, target: Number(r.target_minor), saved: Number(r.saved_minor), targetDate: r.target_date, currency: r.currency }));
    },

    async create(userSub: string, g: Omit<Goal, 'id'>, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await db
        .insertInto('goals')
        .values({ id, user_sub: userSub, name: g.name, target_minor: g.target, saved_minor: g.saved, target_date: g.targetDate, currency: g.currency, created_at: now.toISOString() })
        .execute();
      return id;
    },
  };
}

export type GoalsRepository = ReturnType<typeof createGoalsRepository>;

/** Goals per person: each is paced on the dashboard on every view. */
export const MAX_GOALS = 100;
