import type { Kysely, Migration } from 'kysely';

/**
 * 2026-12-01: account deletions in progress. A row exists from the moment a person confirms until
 * their data is gone; `idp_deleted_at` says the identity provider's user is already deleted, so
 * the local step must finish (it is retried until it does).
 */
export const accountDeletions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('account_deletions')
      .addColumn('user_sub', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('requested_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('idp_deleted_at', 'varchar(32)')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('account_deletions').execute();
  },
};
