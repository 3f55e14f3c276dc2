import type { Kysely, Migration } from 'kysely';

/**
 * 2026-12-01: schedules (recurring transactions) and credit limits. A schedule repeats every N
 * days, weeks, months or years from its next date; `anchor_day` keeps the day of the month it
 * was set for, so a schedule on the 31st comes back to the 31st after a short month. A credit
 * card may have a limit, which the forecast warns about. Existing accounts have none.
 */
export const schedules: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('credit_limit_minor', 'bigint').execute();
    await db.schema
      .createTable('schedules')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('description', 'varchar(200)', (c) => c.notNull())
      .addColumn('amount_minor', 'bigint', (c) => c.notNull())
      .addColumn('category_id', 'varchar(36)', (c) => c.references('categories.id').onDelete('set null'))
      .addColumn('transfer_account_id', 'varchar(36)', (c) => c.references('accounts.id').onDelete('cascade'))
      .addColumn('frequency', 'varchar(8)', (c) => c.notNull())
      .addColumn('every', 'integer', (c) => c.notNull())
      .addColumn('anchor_day', 'integer', (c) => c.notNull())
      .addColumn('next_date', 'varchar(10)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('schedules_user').on('schedules').columns(['user_sub', 'next_date']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('schedules').execute();
    await db.schema.alterTable('accounts').dropColumn('credit_limit_minor').execute();
  },
};
