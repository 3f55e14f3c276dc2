import { Kysely, Migrator, type Migration, type MigrationProvider } from 'kysely';

/**
 * Migrations live in code (not files found at run time), so the compiled app and the tests
 * run exactly the same list. Each only uses types both SQLite and PostgreSQL accept.
 */
const migrations: Record<string, Migration> = {
  '2026-11-29-001-users': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('sub', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('email', 'varchar(320)')
        .addColumn('name', 'varchar(255)')
        .addColumn('picture', 'varchar(2048)')
        .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('first_seen_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('last_login_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      // Email is not unique on purpose: two identities with one email stay two users.
      await db.schema.createIndex('users_email').on('users').column('email').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('users').execute();
    },
  },
  '2026-11-29-002-mfa-preferences-audit': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('last_mfa_at', 'varchar(32)').execute();
      await db.schema.alterTable('users').addColumn('display_name', 'varchar(80)').execute();
      await db.schema.alterTable('users').addColumn('currency', 'varchar(3)', (c) => c.notNull().defaultTo('USD')).execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('at', 'varchar(32)', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('actor_sub', 'varchar(255)')
        .addColumn('target_sub', 'varchar(255)')
        .addColumn('ip', 'varchar(64)')
        .addColumn('request_id', 'varchar(64)')
        .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('audit_events').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; throws with the failing migration's error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}
