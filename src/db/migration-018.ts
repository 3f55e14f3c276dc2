import type { Kysely, Migration } from 'kysely';

/** 2026-12-02: how a person writes amounts: 1,234.56 ('dot', the default) or 1.234,56 ('comma'). */
export const numberStyle: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('number_style', 'varchar(5)', (c) => c.notNull().defaultTo('dot')).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('users').dropColumn('number_style').execute();
  },
};
