import type { Kysely, Migration } from 'kysely';

/**
 * 2026-12-02: everyday work.
 * - `import_batches`: every confirmed import with its file name, date and row count; each row it
 *   wrote (and each transfer side it created) carries the batch id, so the import can be undone.
 * - `categories.hidden`: a category kept for its history but left out of the pickers.
 * - `goal_contributions`: money put towards one goal on a date. A goal's saving is its own
 *   contributions, so two goals never count the same saving.
 */
export const everydayWork: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('import_batches')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('file_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('row_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('import_batches_user').on('import_batches').columns(['user_sub', 'created_at']).execute();
    await db.schema.alterTable('transactions').addColumn('import_batch_id', 'varchar(36)').execute();
    await db.schema.createIndex('transactions_import_batch').on('transactions').columns(['user_sub', 'import_batch_id']).execute();
    // The add form's default account is the one used last.
    await db.schema.createIndex('transactions_created').on('transactions').columns(['user_sub', 'created_at']).execute();
    await db.schema.alterTable('categories').addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('goal_contributions')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('goal_id', 'varchar(36)', (c) => c.notNull().references('goals.id').onDelete('cascade'))
      .addColumn('date', 'varchar(10)', (c) => c.notNull())
      .addColumn('amount_minor', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('goal_contributions_goal').on('goal_contributions').columns(['user_sub', 'goal_id', 'date']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('goal_contributions').execute();
    await db.schema.alterTable('categories').dropColumn('hidden').execute();
    await db.schema.dropIndex('transactions_import_batch').execute();
    await db.schema.dropIndex('transactions_created').execute();
    await db.schema.alterTable('transactions').dropColumn('import_batch_id').execute();
    await db.schema.dropTable('import_batches').execute();
  },
};
