import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * The running totals and the ledger versions: small rows, always found by their primary key. On
 * SQLite an ordinary table keeps them twice (the rows by rowid, and the key in an index pointing
 * at them), so every upsert an add makes searched and wrote two b-trees. Stored `WITHOUT ROWID`
 * the rows live in their key's own b-tree: one search, one page written.
 */
const CLUSTERED = ['month_totals', 'day_totals', 'account_month_totals', 'month_repeats', 'ledger_versions'] as const;

interface SchemaRow {
  type: string;
  sql: string | null;
}

/**
 * Rebuilds a SQLite table with or without its rowid: the same definition (read back from the
 * schema, so whatever earlier migrations made of it), the same rows, and its triggers and indexes
 * created again (dropping the old table drops them).
 */
async function rebuild(db: Kysely<unknown>, table: string, withoutRowid: boolean): Promise<void> {
  const { rows } = await sql<SchemaRow>`SELECT type, sql FROM sqlite_master WHERE tbl_name = ${table} AND sql IS NOT NULL`.execute(db);
  const definition = rows.find((r) => r.type === 'table')?.sql;
  if (!definition) throw new Error(`table ${table} is missing`);
  const kept = `${table}_kept`;
  // Copied aside and back rather than renamed: other tables' triggers name the version table, and
  // SQLite refuses a rename while a trigger names a table that is (for that moment) missing.
  await sql.raw(`CREATE TEMP TABLE "${kept}" AS SELECT * FROM "${table}"`).execute(db);
  await sql.raw(`DROP TABLE "${table}"`).execute(db);
  await sql.raw(withoutRowid ? `${definition} WITHOUT ROWID` : definition.replace(/\)\s*WITHOUT ROWID\s*$/i, ')')).execute(db);
  await sql.raw(`INSERT INTO "${table}" SELECT * FROM temp."${kept}"`).execute(db);
  await sql.raw(`DROP TABLE temp."${kept}"`).execute(db);
  for (const r of rows) if (r.type === 'trigger' || r.type === 'index') await sql.raw(r.sql!).execute(db);
}

/**
 * 2026-12-05: an add wrote about 15 pages to SQLite's log; two of them for each running total it
 * moved. The totals and version tables are rebuilt `WITHOUT ROWID` (SQLite only: PostgreSQL keeps
 * tables and their keys apart either way). And `transactions_account_date` goes on both engines:
 * `transactions_user_account_date` has its columns in the same order, plus the id, so it serves
 * every search the shorter one did, and each insert kept one index fewer.
 */
export const clusteredTotals: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('transactions_account_date').execute();
    if (db.getExecutor().adapter instanceof PostgresAdapter) return;
    for (const table of CLUSTERED) await rebuild(db, table, true);
  },
  async down(db: Kysely<unknown>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) for (const table of CLUSTERED) await rebuild(db, table, false);
    await db.schema.createIndex('transactions_account_date').on('transactions').columns(['user_sub', 'account_id', 'date']).execute();
  },
};
