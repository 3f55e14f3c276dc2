import { sql, type Kysely, type Migration } from 'kysely';

/**
 * 2026-12-01: rules in order, with more to match on. A rule matches the payee or the memo
 * (contains, equals or starts with), optionally only amounts within a range (by size, either
 * sign) and only one account; it sets the category and may rename the payee. Existing rules
 * were "payee contains": they keep that meaning, in the order they were made.
 */
export const orderedRules: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('rules').addColumn('match_field', 'varchar(8)', (c) => c.notNull().defaultTo('payee')).execute();
    await db.schema.alterTable('rules').addColumn('match_op', 'varchar(12)', (c) => c.notNull().defaultTo('contains')).execute();
    await db.schema.alterTable('rules').addColumn('min_amount_minor', 'bigint').execute();
    await db.schema.alterTable('rules').addColumn('max_amount_minor', 'bigint').execute();
    await db.schema.alterTable('rules').addColumn('account_id', 'varchar(36)', (c) => c.references('accounts.id').onDelete('cascade')).execute();
    await db.schema.alterTable('rules').addColumn('rename_to', 'varchar(200)').execute();
    await db.schema.alterTable('rules').addColumn('position', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    // Number each user's rules by age: 1, 2, 3...
    await sql`UPDATE rules SET position = (SELECT count(*) FROM rules r2 WHERE r2.user_sub = rules.user_sub AND (r2.created_at < rules.created_at OR (r2.created_at = rules.created_at AND r2.id <= rules.id)))`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    for (const c of ['position', 'rename_to', 'account_id', 'max_amount_minor', 'min_amount_minor', 'match_op', 'match_field']) await db.schema.alterTable('rules').dropColumn(c).execute();
  },
};
