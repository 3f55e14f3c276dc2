import type { Kysely, Migration } from 'kysely';

/**
 * 2026-12-06: `transactions_import_batch` finds the rows of one import (to list imports and undo
 * one). Rows a person adds by hand carry no batch, yet each of their adds and edits wrote an
 * entry for them in it: a page of SQLite's log per add. It now holds imported rows only (a partial
 * index, on both engines). Every search of it names a batch (`import_batch_id = ...`), which
 * both planners know excludes NULL, so it still serves them all.
 */
export const importedRowsIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('transactions_import_batch').execute();
    await db.schema
      .createIndex('transactions_import_batch')
      .on('transactions')
      .columns(['user_sub', 'import_batch_id'])
      .where((eb) => eb('import_batch_id', 'is not', null))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('transactions_import_batch').execute();
    await db.schema.createIndex('transactions_import_batch').on('transactions').columns(['user_sub', 'import_batch_id']).execute();
  },
};
