import type { Kysely, Migration } from 'kysely';

/**
 * 2026-12-01: transfers and split transactions. A transfer is two rows, one in each account,
 * each naming the other in `transfer_id`; a split transaction has `split = 1`, no category of its
 * own, and its parts in transaction_splits (each with a category and an amount; the parts add up
 * to the transaction's amount). Existing rows are neither: nothing already shown changes, and the
 * stored monthly totals stay as they are.
 */
export const transfersAndSplits: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('transactions').addColumn('transfer_id', 'varchar(36)').execute();
    await db.schema.alterTable('transactions').addColumn('split', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('transaction_splits')
      .addColumn('transaction_id', 'varchar(36)', (c) => c.notNull().references('transactions.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('category_id', 'varchar(36)', (c) => c.references('categories.id').onDelete('set null'))
      .addColumn('amount_minor', 'bigint', (c) => c.notNull())
      .addColumn('memo', 'varchar(200)')
      .addPrimaryKeyConstraint('transaction_splits_pk', ['transaction_id', 'seq'])
      .execute();
    await db.schema.createIndex('transaction_splits_user').on('transaction_splits').columns(['user_sub', 'transaction_id']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('transaction_splits').execute();
    await db.schema.alterTable('transactions').dropColumn('split').execute();
    await db.schema.alterTable('transactions').dropColumn('transfer_id').execute();
  },
};
