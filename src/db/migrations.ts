import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { currenciesAndMemo } from './migration-009.js';
import { accountDeletions } from './migration-010.js';
import { balances } from './migration-011.js';
import { transfersAndSplits } from './migration-012.js';
import { schedules } from './migration-013.js';
import { orderedRules } from './migration-014.js';
import { exchangeRates } from './migration-015.js';
import { dayTotals } from './migration-016.js';
import { everydayWork } from './migration-017.js';
import { numberStyle } from './migration-018.js';
import { sessionTable } from './migration-019.js';
import { rateLimitCounters } from './migration-020.js';
import { ledgerVersions } from './migration-021.js';
import { clusteredTotals } from './migration-022.js';
import { importedRowsIndex } from './migration-023.js';
import { ledgerSizes } from './migration-024.js';

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
  '2026-11-29-003-finance': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(80)', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('accounts_user').on('accounts').column('user_sub').execute();
      await db.schema
        .createTable('categories')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(60)', (c) => c.notNull())
        .addColumn('grp', 'varchar(10)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint('categories_user_name', ['user_sub', 'name'])
        .execute();
      await db.schema
        .createTable('transactions')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
        .addColumn('date', 'varchar(10)', (c) => c.notNull())
        .addColumn('description', 'varchar(200)', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('category_id', 'varchar(36)', (c) => c.references('categories.id').onDelete('set null'))
        .addColumn('imported_id', 'varchar(255)')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('transactions_user_date').on('transactions').columns(['user_sub', 'date']).execute();
      await db.schema.createIndex('transactions_user_account_imported').on('transactions').columns(['user_sub', 'account_id', 'imported_id']).execute();
      await db.schema
        .createTable('budgets')
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('month', 'varchar(7)', (c) => c.notNull())
        .addColumn('category_id', 'varchar(36)', (c) => c.notNull().references('categories.id').onDelete('cascade'))
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('budgets_pk', ['user_sub', 'month', 'category_id'])
        .execute();
      await db.schema
        .createTable('rules')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('match_text', 'varchar(100)', (c) => c.notNull())
        .addColumn('category_id', 'varchar(36)', (c) => c.notNull().references('categories.id').onDelete('cascade'))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rules_user').on('rules').column('user_sub').execute();
      await db.schema
        .createTable('goals')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(80)', (c) => c.notNull())
        .addColumn('target_minor', 'bigint', (c) => c.notNull())
        .addColumn('saved_minor', 'bigint', (c) => c.notNull())
        .addColumn('target_date', 'varchar(10)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('goals_user').on('goals').column('user_sub').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['goals', 'rules', 'budgets', 'transactions', 'categories', 'accounts']) await db.schema.dropTable(t).execute();
    },
  },
  '2026-11-29-004-pending-imports': {
    async up(db: Kysely<unknown>) {
      // A previewed import waits here until the person confirms it (too large for the session).
      await db.schema
        .createTable('pending_imports')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pending_imports_user').on('pending_imports').column('user_sub').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('pending_imports').execute();
    },
  },
  '2026-11-29-005-transactions-covering-index': {
    async up(db: Kysely<unknown>) {
      // The coaching summary sums amounts per month and category over a year: with this index
      // it reads only the index (about 2.5x faster at 50,000 rows).
      await db.schema.createIndex('transactions_user_date_cover').on('transactions').columns(['user_sub', 'date', 'category_id', 'amount_minor']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('transactions_user_date_cover').execute();
    },
  },
  '2026-11-29-006-month-totals': {
    async up(db: Kysely<unknown>) {
      // Monthly sums per category, maintained on every write (see transactions/month-totals.ts).
      await db.schema
        .createTable('month_totals')
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('month', 'varchar(7)', (c) => c.notNull())
        .addColumn('category_key', 'varchar(36)', (c) => c.notNull())
        .addColumn('total_minor', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('month_totals_pk', ['user_sub', 'month', 'category_key'])
        .execute();
      await sql`INSERT INTO month_totals (user_sub, month, category_key, total_minor, count)
        SELECT user_sub, substr(date, 1, 7), coalesce(category_id, ''), sum(amount_minor), count(*)
        FROM transactions GROUP BY user_sub, substr(date, 1, 7), coalesce(category_id, '')`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('month_totals').execute();
    },
  },
  '2026-11-29-007-transactions-month-index': {
    async up(db: Kysely<unknown>) {
      // One index for every per-month read: recomputing a month's totals (date, amount, category)
      // and finding repeated charges (date, amount, description) read only the index. It starts
      // with (user_sub, date), so it also replaces the two narrower indexes.
      await db.schema.createIndex('transactions_user_month').on('transactions').columns(['user_sub', 'date', 'amount_minor', 'category_id', 'description']).execute();
      await db.schema.dropIndex('transactions_user_date_cover').execute();
      await db.schema.dropIndex('transactions_user_date').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.createIndex('transactions_user_date').on('transactions').columns(['user_sub', 'date']).execute();
      await db.schema.createIndex('transactions_user_date_cover').on('transactions').columns(['user_sub', 'date', 'category_id', 'amount_minor']).execute();
      await db.schema.dropIndex('transactions_user_month').execute();
    },
  },
  '2026-11-29-008-month-repeats': {
    async up(db: Kysely<unknown>) {
      // Repeated charges per month, maintained on every write like month_totals.
      await db.schema
        .createTable('month_repeats')
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('month', 'varchar(7)', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('description_key', 'varchar(200)', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('month_repeats_pk', ['user_sub', 'month', 'amount_minor', 'description_key'])
        .execute();
      await sql`INSERT INTO month_repeats (user_sub, month, amount_minor, description_key, count)
        SELECT user_sub, substr(date, 1, 7), amount_minor, lower(trim(description)), count(*)
        FROM transactions WHERE amount_minor < 0
        GROUP BY user_sub, substr(date, 1, 7), amount_minor, lower(trim(description)) HAVING count(*) > 1`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('month_repeats').execute();
    },
  },
  '2026-12-01-009-currencies-memo': currenciesAndMemo,
  '2026-12-01-010-account-deletions': accountDeletions,
  '2026-12-01-011-balances': balances,
  '2026-12-01-012-transfers-splits': transfersAndSplits,
  '2026-12-01-013-schedules': schedules,
  '2026-12-01-014-ordered-rules': orderedRules,
  '2026-12-02-015-exchange-rates': exchangeRates,
  '2026-12-02-016-day-totals': dayTotals,
  '2026-12-02-017-everyday-work': everydayWork,
  '2026-12-02-018-number-style': numberStyle,
  '2026-12-02-019-sessions': sessionTable,
  '2026-12-02-020-rate-limits': rateLimitCounters,
  '2026-12-03-021-ledger-versions': ledgerVersions,
  '2026-12-05-022-clustered-totals': clusteredTotals,
  '2026-12-06-023-imported-rows-index': importedRowsIndex,
  '2026-12-07-024-ledger-sizes': ledgerSizes,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; throws with the failing migration's error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  return migrate(db, (m) => m.migrateToLatest());
}

/** Brings the schema up to the named migration (tests use it to check a migration's data step). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  return migrate(db, (m) => m.migrateTo(name));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
async function migrate(db: Kysely<any>, run: (m: Migrator) => ReturnType<Migrator['migrateToLatest']>): Promise<void> {
  const { error, results } = await run(new Migrator({ db, provider }));
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // No migration ran at all: the database could not be reached (or read), and the reason says why.
    const what = failed ? `database migration ${failed.migrationName} failed` : 'the database could not be migrated';
    throw new Error(`${what}: ${reason}`, { cause: error });
  }
}
