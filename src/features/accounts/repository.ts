import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface Account {
  id: string;
  name: string;
  currency: string;
  archived: boolean;
}

/** SQL for accounts; every statement is scoped by the owner's sub. */
export function createAccountsRepository(db: Kysely<Database>) {
  return {
    async list(userSub: string, opts: { includeArchived: boolean }): Promise<Account[]> {
      let q = db.selectFrom('accounts').select(['id', 'name', 'currency', 'archived']).where('user_sub', '=', userSub);
      if (!opts.includeArchived) q = q.where('archived', '=', 0);
      const rows = await q.orderBy('archived').orderBy('name').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, currency: r.currency, archived: r.archived === 1 }));
    },

    async find(userSub: string, id: string): Promise<Account | undefined> {
      const r = await db.selectFrom('accounts').select(['id', 'name', 'currency', 'archived']).where('user_sub', '=', userSub).where('id', '=', id).executeTakeFirst();
      return r && { id: r.id, name: r.name, currency: r.currency, archived: r.archived === 1 };
    },

    async create(userSub: string, a: { name: string; currency: string }, now: Date): Promise<string> {
      const id = crypto.randomUUID();
      await db.insertInto('accounts').values({ id, user_sub: userSub, name: a.name, currency: a.currency, archived: 0, created_at: now.toISOString() }).execute();
      return id;
    },

    async update(userSub: string, id: string, a: { name: string; archived: boolean }): Promise<boolean> {
      const r = await db
        .updateTable('accounts')
        .set({ name: a.name, archived: a.archived ? 1 : 0 })
        .where('user_sub', '=', userSub)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
