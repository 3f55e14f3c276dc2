import { sql, type Kysely, type Migration } from 'kysely';

/**
 * 2026-12-02: totals per day beside the monthly ones, so amounts in other currencies can be
 * converted into the main currency at the rate of their own date. Same keys as month_totals
 * (a split's parts in their categories, transfers under '>transfer'), filled from the rows.
 */
export const dayTotals: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('day_totals')
      .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
      .addColumn('date', 'varchar(10)', (c) => c.notNull())
      .addColumn('currency', 'varchar(3)', (c) => c.notNull())
      .addColumn('category_key', 'varchar(36)', (c) => c.notNull())
      .addColumn('total_minor', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('out_minor', 'bigint', (c) => c.notNull())
      .addColumn('out_count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('day_totals_pk', ['user_sub', 'currency', 'date', 'category_key'])
      .execute();
    await sql`INSERT INTO day_totals (user_sub, date, currency, category_key, total_minor, count, out_minor, out_count)
      SELECT user_sub, date, currency, category_key, sum(amount_minor), count(*), sum(CASE WHEN amount_minor < 0 THEN amount_minor ELSE 0 END), sum(CASE WHEN amount_minor < 0 THEN 1 ELSE 0 END)
      FROM (
        SELECT t.user_sub, t.date, a.currency, CASE WHEN t.transfer_id IS NOT NULL THEN '>transfer' ELSE coalesce(t.category_id, '') END AS category_key, t.amount_minor
          FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE t.split = 0
        UNION ALL
        SELECT t.user_sub, t.date, a.currency, coalesce(s.category_id, ''), s.amount_minor
          FROM transactions t JOIN accounts a ON a.id = t.account_id JOIN transaction_splits s ON s.transaction_id = t.id WHERE t.split = 1
      ) p
      GROUP BY user_sub, date, currency, category_key`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('day_totals').execute();
  },
};
