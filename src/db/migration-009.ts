import { sql, type Kysely, type Migration } from 'kysely';

/**
 * 2026-12-01: amounts of different currencies are never added (totals, repeated charges, budgets
 * and goals carry their currency), a memo beside the payee, pending-import rows in chunks, and
 * an index for paging audit events. Only types both SQLite and PostgreSQL accept.
 */
export const currenciesAndMemo: Migration = {
  async up(db: Kysely<unknown>) {
    // A note beside the payee, kept apart from it (YNAB's Memo column, OFX MEMO).
    await db.schema.alterTable('transactions').addColumn('memo', 'varchar(200)').execute();

    // Totals and repeated charges per currency: amounts of different currencies are never added.
    await db.schema.dropTable('month_totals').execute();
    await db.schema
      .createTable('month_totals')
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('month', 'varchar(7)', (c) => c.notNull())
      .addColumn('currency', 'varchar(3)', (c) => c.notNull())
      .addColumn('category_key', 'varchar(36)', (c) => c.notNull())
      .addColumn('total_minor', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('out_minor', 'bigint', (c) => c.notNull())
      .addColumn('out_count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('month_totals_pk', ['user_sub', 'month', 'currency', 'category_key'])
      .execute();
    await sql`INSERT INTO month_totals (user_sub, month, currency, category_key, total_minor, count, out_minor, out_count)
      SELECT t.user_sub, substr(t.date, 1, 7), a.currency, coalesce(t.category_id, ''), sum(t.amount_minor), count(*),
        sum(CASE WHEN t.amount_minor < 0 THEN t.amount_minor ELSE 0 END), sum(CASE WHEN t.amount_minor < 0 THEN 1 ELSE 0 END)
      FROM transactions t JOIN accounts a ON a.id = t.account_id
      GROUP BY t.user_sub, substr(t.date, 1, 7), a.currency, coalesce(t.category_id, '')`.execute(db);
    await db.schema.dropTable('month_repeats').execute();
    await db.schema
      .createTable('month_repeats')
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('month', 'varchar(7)', (c) => c.notNull())
      .addColumn('currency', 'varchar(3)', (c) => c.notNull())
      .addColumn('amount_minor', 'bigint', (c) => c.notNull())
      .addColumn('description_key', 'varchar(200)', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('month_repeats_pk', ['user_sub', 'month', 'currency', 'amount_minor', 'description_key'])
      .execute();
    await sql`INSERT INTO month_repeats (user_sub, month, currency, amount_minor, description_key, count)
      SELECT t.user_sub, substr(t.date, 1, 7), a.currency, t.amount_minor, lower(trim(t.description)), count(*)
      FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE t.amount_minor < 0
      GROUP BY t.user_sub, substr(t.date, 1, 7), a.currency, t.amount_minor, lower(trim(t.description)) HAVING count(*) > 1`.execute(db);

    // Budgets and goals get the currency they were entered in: the user's currency until now.
    await db.schema
      .createTable('budgets_v2')
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('month', 'varchar(7)', (c) => c.notNull())
      .addColumn('currency', 'varchar(3)', (c) => c.notNull())
      .addColumn('category_id', 'varchar(36)', (c) => c.notNull().references('categories.id').onDelete('cascade'))
      .addColumn('amount_minor', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('budgets_v2_pk', ['user_sub', 'month', 'currency', 'category_id'])
      .execute();
    await sql`INSERT INTO budgets_v2 (user_sub, month, currency, category_id, amount_minor)
      SELECT b.user_sub, b.month, coalesce((SELECT u.currency FROM users u WHERE u.sub = b.user_sub), 'USD'), b.category_id, b.amount_minor
      FROM budgets b`.execute(db);
    await db.schema.dropTable('budgets').execute();
    await db.schema.alterTable('budgets_v2').renameTo('budgets').execute();
    await db.schema.alterTable('goals').addColumn('currency', 'varchar(3)', (c) => c.notNull().defaultTo('USD')).execute();
    await sql`UPDATE goals SET currency = coalesce((SELECT u.currency FROM users u WHERE u.sub = goals.user_sub), 'USD')`.execute(db);

    // Pending imports expire after an hour; the pruner finds them by age. Their rows are kept in
    // chunks of a thousand, so saving or reading a 50,000-row preview never holds the event
    // loop for one huge JSON document.
    await db.schema.createIndex('pending_imports_created').on('pending_imports').column('created_at').execute();
    await db.schema
      .createTable('pending_import_chunks')
      .addColumn('import_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('rows_json', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('pending_import_chunks_pk', ['import_id', 'seq'])
      .execute();
    await db.schema.createIndex('pending_import_chunks_user').on('pending_import_chunks').column('user_sub').execute();
    await db.deleteFrom('pending_imports' as never).execute();
    // Duplicate detection reads an account's rows by date a page at a time (keyset on date, id).
  // Nothing looks rows up by imported id alone, so this index replaces that one (one index less
  // to keep up on every insert).
  await db.schema.createIndex('transactions_user_account_date').on('transactions').columns(['user_sub', 'account_id', 'date', 'id']).execute();
  await db.schema.dropIndex('transactions_user_account_imported').execute();
  // The admin page pages through audit events by time, newest first.
    await db.schema.createIndex('audit_events_at_id').on('audit_events').columns(['at', 'id']).execute();
  },
  async down() {
    throw new Error('2026-12-01-009 cannot be undone: it would add amounts of different currencies together again');
  },
};
