import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Every table of a person's ledger: a change to any of them moves the person's ledger version.
 * The import's pending uploads are left out: they are not the ledger until they are imported.
 * Frozen with this migration; a later table gets its triggers in its own migration (a test checks
 * that every table the dashboard reads is versioned).
 */
const VERSIONED = [
  'accounts', 'categories', 'transactions', 'transaction_splits', 'budgets', 'goals', 'goal_contributions', 'schedules', 'exchange_rates',
  'rules', 'reconciliations', 'import_batches', 'month_totals', 'day_totals', 'month_repeats', 'account_month_totals',
] as const;

const EVENTS = ['insert', 'update', 'delete'] as const;

/** One row per person with a ledger: its version moves on every change; the epoch is new whenever the row is. */
function bump(subExpression: string, where = ''): string {
  return `INSERT INTO ledger_versions (user_sub, epoch, version) SELECT ${subExpression}, lower(hex(randomblob(8))), 1 WHERE ${where || 'true'}
    ON CONFLICT (user_sub) DO UPDATE SET version = version + 1;`;
}

/**
 * 2026-12-03: a version of each person's ledger, kept by the database itself so no write path can
 * forget it: what a cache of figures computed from the ledger is keyed by (features/dashboard).
 *
 * SQLite: a row trigger per table and event. PostgreSQL: a statement trigger per table and event
 * over its transition table, so a 50,000-row import moves the version once, not 50,000 times; the
 * people a statement touched are taken in order, so two statements over several people cannot
 * deadlock on their version rows. Ledger writes already hold the person's advisory lock
 * (db/engine.ts), so their version row is not contended.
 */
export const ledgerVersions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('ledger_versions')
      .addColumn('user_sub', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('epoch', 'varchar(32)', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .execute();
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql.raw(`CREATE FUNCTION ledger_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO ledger_versions (user_sub, epoch, version)
              SELECT s.user_sub, md5(random()::text || clock_timestamp()::text), 1 FROM (SELECT DISTINCT user_sub FROM ledger_new) s ORDER BY s.user_sub
              ON CONFLICT (user_sub) DO UPDATE SET version = ledger_versions.version + 1;
          ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO ledger_versions (user_sub, epoch, version)
              SELECT s.user_sub, md5(random()::text || clock_timestamp()::text), 1 FROM (SELECT DISTINCT user_sub FROM ledger_old) s ORDER BY s.user_sub
              ON CONFLICT (user_sub) DO UPDATE SET version = ledger_versions.version + 1;
          ELSE
            INSERT INTO ledger_versions (user_sub, epoch, version)
              SELECT s.user_sub, md5(random()::text || clock_timestamp()::text), 1 FROM (SELECT user_sub FROM ledger_new UNION SELECT user_sub FROM ledger_old) s ORDER BY s.user_sub
              ON CONFLICT (user_sub) DO UPDATE SET version = ledger_versions.version + 1;
          END IF;
          RETURN NULL;
        END $$`).execute(db);
      for (const table of VERSIONED) {
        await sql.raw(`CREATE TRIGGER ledger_version_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS ledger_new FOR EACH STATEMENT EXECUTE FUNCTION ledger_version_bump()`).execute(db);
        await sql.raw(`CREATE TRIGGER ledger_version_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS ledger_old NEW TABLE AS ledger_new FOR EACH STATEMENT EXECUTE FUNCTION ledger_version_bump()`).execute(db);
        await sql.raw(`CREATE TRIGGER ledger_version_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS ledger_old FOR EACH STATEMENT EXECUTE FUNCTION ledger_version_bump()`).execute(db);
      }
      return;
    }
    for (const table of VERSIONED) {
      for (const event of EVENTS) {
        const body = event === 'insert' ? bump('new.user_sub') : event === 'delete' ? bump('old.user_sub') : `${bump('new.user_sub')} ${bump('old.user_sub', 'old.user_sub IS NOT new.user_sub')}`;
        await sql.raw(`CREATE TRIGGER ledger_version_${table}_${event} AFTER ${event.toUpperCase()} ON ${table} BEGIN ${body} END`).execute(db);
      }
    }
  },
  async down(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    for (const table of VERSIONED) {
      for (const event of EVENTS) await sql.raw(postgres ? `DROP TRIGGER ledger_version_${event} ON ${table}` : `DROP TRIGGER ledger_version_${table}_${event}`).execute(db);
    }
    if (postgres) await sql.raw('DROP FUNCTION ledger_version_bump()').execute(db);
    await db.schema.dropTable('ledger_versions').execute();
  },
};
