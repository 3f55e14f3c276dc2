import { ledgerTransaction } from '../../db/engine.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { USER_TABLES } from '../data/repository.js';

/** SQL for account deletion: the marker of a deletion under way, and the deletion itself. */
export function createAccountRepository(db: Kysely<Database>) {
  return {
    /** Marks a deletion as started (again, after a failed attempt, is fine). */
    async mark(sub: string, at: Date): Promise<void> {
      await db
        .insertInto('account_deletions')
        .values({ user_sub: sub, requested_at: at.toISOString() })
        .onConflict((oc) => oc.column('user_sub').doNothing())
        .execute();
    },

    /** The provider refused: the deletion never happened. */
    async unmark(sub: string): Promise<void> {
      await db.deleteFrom('account_deletions').where('user_sub', '=', sub).where('idp_deleted_at', 'is', null).execute();
    },

    async markIdpDeleted(sub: string, at: Date): Promise<void> {
      await db.updateTable('account_deletions').set({ idp_deleted_at: at.toISOString() }).where('user_sub', '=', sub).execute();
    },

    async noteAttempt(sub: string): Promise<void> {
      await db.updateTable('account_deletions').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('user_sub', '=', sub).execute();
    },

    /** Deletions whose provider step is done and whose local step is not (housekeeping finishes them). */
    async unfinished(limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('account_deletions')
        .select('user_sub')
        .where('idp_deleted_at', 'is not', null)
        .orderBy('requested_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.user_sub);
    },

    async isIdpDeleted(sub: string): Promise<boolean> {
      const r = await db
        .selectFrom('account_deletions')
        .select('user_sub')
        .where('user_sub', '=', sub)
        .where('idp_deleted_at', 'is not', null)
        .executeTakeFirst();
      return r !== undefined;
    },

    /** Every finance row, the user record and the marker, in one transaction: all of it or none. */
    async deleteEverything(sub: string): Promise<number> {
      return ledgerTransaction(db, sub, async (trx) => {
        let rows = 0;
        for (const table of USER_TABLES) rows += Number((await trx.deleteFrom(table).where('user_sub', '=', sub).executeTakeFirst()).numDeletedRows);
        rows += Number((await trx.deleteFrom('users').where('sub', '=', sub).executeTakeFirst()).numDeletedRows);
        // Last: deleting the ledger moved its version and its size. A returning person starts a new epoch.
        await trx.deleteFrom('ledger_versions').where('user_sub', '=', sub).execute();
        await trx.deleteFrom('ledger_sizes').where('user_sub', '=', sub).execute();
        await trx.deleteFrom('account_deletions').where('user_sub', '=', sub).execute();
        return rows;
      });
    },
  };
}

export type AccountRepository = ReturnType<typeof createAccountRepository>;
