import { sql, type Kysely, type Migration } from 'kysely';

/**
 * 2026-12-01: accounts carry money. Each account has a type (an asset or a liability), an
 * opening balance and date; each transaction a cleared state (uncleared, cleared, reconciled);
 * each finished reconciliation is kept; per account and month, the sum of its transactions and of
 * the cleared ones is stored beside the other monthly totals (balances and net worth read those
 * instead of every row). Existing accounts open at 0 as checking accounts and
 * existing transactions start uncleared: nothing changes what was already shown.
 */
export const balances: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('type', 'varchar(16)', (c) => c.notNull().defaultTo('checking')).execute();
    await db.schema.alterTable('accounts').addColumn('opening_balance_minor', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('accounts').addColumn('opening_date', 'varchar(10)').execute();
    await db.schema.alterTable('transactions').addColumn('cleared', 'varchar(10)', (c) => c.notNull().defaultTo('uncleared')).execute();
    await db.schema.createIndex('transactions_account_date').on('transactions').columns(['user_sub', 'account_id', 'date']).execute();
    await db.schema
      .createTable('account_month_totals')
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('month', 'varchar(7)', (c) => c.notNull())
      .addColumn('total_minor', 'bigint', (c) => c.notNull())
      .addColumn('cleared_minor', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('account_month_totals_pk', ['user_sub', 'account_id', 'month'])
      .execute();
    // Every existing transaction is uncleared, so nothing of it is cleared yet.
    await sql`INSERT INTO account_month_totals (user_sub, account_id, month, total_minor, cleared_minor)
      SELECT user_sub, account_id, substr(date, 1, 7), sum(amount_minor), 0 FROM transactions GROUP BY user_sub, account_id, substr(date, 1, 7)`.execute(db);
    await db.schema
      .createTable('reconciliations')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('statement_date', 'varchar(10)', (c) => c.notNull())
      .addColumn('statement_balance_minor', 'bigint', (c) => c.notNull())
      .addColumn('transactions', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('reconciliations_account').on('reconciliations').columns(['user_sub', 'account_id', 'statement_date']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('reconciliations').execute();
    await db.schema.dropTable('account_month_totals').execute();
    await db.schema.dropIndex('transactions_account_date').execute();
    await db.schema.alterTable('transactions').dropColumn('cleared').execute();
    await db.schema.alterTable('accounts').dropColumn('opening_date').execute();
    await db.schema.alterTable('accounts').dropColumn('opening_balance_minor').execute();
    await db.schema.alterTable('accounts').dropColumn('type').execute();
  },
};
