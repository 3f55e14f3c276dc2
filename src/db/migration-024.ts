import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/** The size one month_totals row gives its person: its rows, and its amounts without their signs. */
const ROWS = (row: 'new' | 'old') => `${row}.count`;
const VOLUME = (row: 'new' | 'old') => `(${row}.total_minor - 2 * ${row}.out_minor)`;

/** What an upsert into ledger_sizes does with a person who has a row already: adds to it. */
const ADD_TO_ROW = 'ON CONFLICT (user_sub) DO UPDATE SET row_count = ledger_sizes.row_count + excluded.row_count, volume_minor = ledger_sizes.volume_minor + excluded.volume_minor';

/** Adds to a person's size (SQLite: an upsert from a SELECT needs its WHERE before ON CONFLICT). */
function move(sub: string, rows: string, volume: string, where = 'true'): string {
  return `INSERT INTO ledger_sizes (user_sub, row_count, volume_minor) SELECT ${sub}, ${rows}, ${volume} WHERE ${where}
    ${ADD_TO_ROW};`;
}

/**
 * 2026-12-07: each person's size (transactions, and all amounts added up without their signs),
 * kept by the database from the running totals, so no write path can forget it. Every write that
 * can grow a ledger checks it against the limits (month-totals.ts `sizeOf`); it was a sum over
 * all of the person's month_totals rows, work that grew with their history: about 18 µs an add for
 * a year of data, 340 µs for ten years of 30 categories. Now it is one row read by its key.
 *
 * A trigger on month_totals moves it by each row's change: on SQLite for every row written, on
 * PostgreSQL likewise (an add moves two or three totals rows; a recompute writes a month's worth).
 * Ledger writes hold the person's lock (db/engine.ts), so their size row is not contended.
 */
export const ledgerSizes: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('ledger_sizes')
      .addColumn('user_sub', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('row_count', 'bigint', (c) => c.notNull())
      .addColumn('volume_minor', 'bigint', (c) => c.notNull())
      // Small rows found by their key: stored in the key's own b-tree on SQLite (as migration 022).
      .$call((t) => (postgres ? t : t.modifyEnd(sql`without rowid`)))
      .execute();
    await sql`INSERT INTO ledger_sizes (user_sub, row_count, volume_minor)
      SELECT user_sub, sum(count), sum(total_minor - 2 * out_minor) FROM month_totals GROUP BY user_sub`.execute(db);
    if (postgres) {
      await sql.raw(`CREATE FUNCTION ledger_size_move() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            INSERT INTO ledger_sizes (user_sub, row_count, volume_minor) VALUES (OLD.user_sub, -${ROWS('old')}, -${VOLUME('old')})
              ${ADD_TO_ROW};
          END IF;
          IF TG_OP <> 'DELETE' THEN
            INSERT INTO ledger_sizes (user_sub, row_count, volume_minor) VALUES (NEW.user_sub, ${ROWS('new')}, ${VOLUME('new')})
              ${ADD_TO_ROW};
          END IF;
          RETURN NULL;
        END $$`).execute(db);
      await sql.raw('CREATE TRIGGER ledger_size AFTER INSERT OR UPDATE OR DELETE ON month_totals FOR EACH ROW EXECUTE FUNCTION ledger_size_move()').execute(db);
      return;
    }
    await sql.raw(`CREATE TRIGGER ledger_size_insert AFTER INSERT ON month_totals BEGIN ${move('new.user_sub', ROWS('new'), VOLUME('new'))} END`).execute(db);
    await sql.raw(`CREATE TRIGGER ledger_size_delete AFTER DELETE ON month_totals BEGIN ${move('old.user_sub', `-${ROWS('old')}`, `-${VOLUME('old')}`)} END`).execute(db);
    // An update moves its person's size by the difference (the same person: one upsert, as an add's do).
    const same = 'new.user_sub = old.user_sub';
    await sql
      .raw(
        `CREATE TRIGGER ledger_size_update AFTER UPDATE ON month_totals BEGIN
          ${move('new.user_sub', `${ROWS('new')} - ${ROWS('old')}`, `${VOLUME('new')} - ${VOLUME('old')}`, same)}
          ${move('old.user_sub', `-${ROWS('old')}`, `-${VOLUME('old')}`, `NOT (${same})`)}
          ${move('new.user_sub', ROWS('new'), VOLUME('new'), `NOT (${same})`)}
        END`,
      )
      .execute(db);
  },
  async down(db: Kysely<unknown>) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql.raw('DROP TRIGGER ledger_size ON month_totals').execute(db);
      await sql.raw('DROP FUNCTION ledger_size_move()').execute(db);
    } else {
      for (const event of ['insert', 'update', 'delete']) await sql.raw(`DROP TRIGGER ledger_size_${event}`).execute(db);
    }
    await db.schema.dropTable('ledger_sizes').execute();
  },
};
