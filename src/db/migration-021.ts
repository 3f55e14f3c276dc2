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
function bump(subExpression: string, where = 'true'): string {
  return `INSERT INTO ledger_versions (user_sub, epoch, version) SELECT ${subExpression}, lower(hex(randomblob(8))), 1 WHERE ${where}
    ON CONFLICT (user_sub) DO UPDATE SET version = version + 1;`;
}

/**
 * 2026-12-03: a version of each person's ledger, kept by the database itself so no write path can
 * forget it: what a cache of figures computed from the ledger is keyed by (features/dashboard).
 *
 * SQLite: a row trigger per table and event, moving the version for each row (about 2 µs a row).
 * PostgreSQL: a row trigger per table and event that moves each person's version once per
 * transaction (a 50,000-row import moves it once). Ledger writes hold the person's advisory lock
 * (db/engine.ts), so their version row is not contended; a statement over several people (none in
 * the app) moves theirs in row order.
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
      // A transaction moves a person's version once, at its first ledger row: every committed state
      // still has a version of its own, and an add's eight statements cost one row update. The
      // person last moved is kept transaction-locally (gone at commit or rollback, undone with a
      // rolled-back savepoint), and each trigger's WHEN skips rows of that person without a call.
      await sql.raw(`CREATE FUNCTION ledger_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          sub text;
        BEGIN
          FOREACH sub IN ARRAY (CASE TG_OP WHEN 'INSERT' THEN ARRAY[NEW.user_sub] WHEN 'DELETE' THEN ARRAY[OLD.user_sub] ELSE ARRAY[OLD.user_sub, NEW.user_sub] END) LOOP
            IF current_setting('pfc.ledger_moved', true) IS DISTINCT FROM sub THEN
              INSERT INTO ledger_versions (user_sub, epoch, version) VALUES (sub, md5(random()::text || clock_timestamp()::text), 1)
                ON CONFLICT (user_sub) DO UPDATE SET version = ledger_versions.version + 1;
              PERFORM set_config('pfc.ledger_moved', sub, true);
            END IF;
          END LOOP;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$`).execute(db);
      const moved = "current_setting('pfc.ledger_moved', true)";
      for (const table of VERSIONED) {
        await sql.raw(`CREATE TRIGGER ledger_version_insert BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${moved} IS DISTINCT FROM NEW.user_sub) EXECUTE FUNCTION ledger_version_bump()`).execute(db);
        await sql.raw(`CREATE TRIGGER ledger_version_update BEFORE UPDATE ON ${table} FOR EACH ROW WHEN (${moved} IS DISTINCT FROM NEW.user_sub OR ${moved} IS DISTINCT FROM OLD.user_sub) EXECUTE FUNCTION ledger_version_bump()`).execute(db);
        await sql.raw(`CREATE TRIGGER ledger_version_delete BEFORE DELETE ON ${table} FOR EACH ROW WHEN (${moved} IS DISTINCT FROM OLD.user_sub) EXECUTE FUNCTION ledger_version_bump()`).execute(db);
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
