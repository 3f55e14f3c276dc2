import type { Kysely, Migration } from 'kysely';

/**
 * 2026-12-02: the session table moves into the migrations (the SQLite store used to create it
 * itself), so PostgreSQL gets it too. A database from before already has it, perhaps without
 * `oidc_sid`: only what is missing is added. `meta` holds the app's small per-session details
 * (IP, browser) in a column of their own, so listing a user's sessions needs no JSON function.
 * Times are epoch milliseconds (bigint: they do not fit in 32 bits).
 */
export const sessionTable: Migration = {
  async up(db: Kysely<unknown>) {
    const existing = (await db.introspection.getTables()).find((t) => t.name === 'sessions');
    if (!existing) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('user_sub', 'varchar(255)')
        .addColumn('oidc_sid', 'varchar(255)')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('meta', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    } else {
      const columns = new Set(existing.columns.map((c) => c.name));
      if (!columns.has('oidc_sid')) await db.schema.alterTable('sessions').addColumn('oidc_sid', 'varchar(255)').execute();
      if (!columns.has('meta')) await db.schema.alterTable('sessions').addColumn('meta', 'text').execute();
    }
    await db.schema.createIndex('sessions_user_sub').ifNotExists().on('sessions').column('user_sub').execute();
    await db.schema.createIndex('sessions_expires_at').ifNotExists().on('sessions').column('expires_at').execute();
    await db.schema.createIndex('sessions_oidc_sid').ifNotExists().on('sessions').column('oidc_sid').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('sessions').execute();
  },
};
