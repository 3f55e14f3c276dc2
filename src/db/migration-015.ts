import type { Kysely, Migration } from 'kysely';

/**
 * 2026-12-02: exchange rates the person enters or imports. A rate says what one unit of
 * `currency` is worth in `base` (the person's main currency when it was entered) from `date` on,
 * until a later rate; it is kept as an integer, the rate times 10^8.
 */
export const exchangeRates: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('exchange_rates')
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('base', 'varchar(3)', (c) => c.notNull())
      .addColumn('currency', 'varchar(3)', (c) => c.notNull())
      .addColumn('date', 'varchar(10)', (c) => c.notNull())
      .addColumn('rate_e8', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('exchange_rates_pk', ['user_sub', 'base', 'currency', 'date'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('exchange_rates').execute();
  },
};
