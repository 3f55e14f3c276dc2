import type { Kysely } from 'kysely';
import { compiledQuery } from '../../db/compiled-query.js';
import type { Database } from '../../db/schema.js';

const versionOf = compiledQuery((db, sub: string) => db.selectFrom('ledger_versions').select(['epoch', 'version']).where('user_sub', '=', sub));

export function createDashboardRepository(db: Kysely<Database>) {
  return {
    /**
     * The person's ledger version, moved by the database's triggers on every ledger change
     * (migration-021); `none` for a person who has never had a ledger row.
     */
    async ledgerVersion(sub: string): Promise<string> {
      const [row] = await versionOf(db, sub);
      return row ? `${row.epoch}:${row.version}` : 'none';
    },
  };
}

export type DashboardRepository = ReturnType<typeof createDashboardRepository>;
