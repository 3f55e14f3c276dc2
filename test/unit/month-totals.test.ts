import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/db/migrations.js';
import type { Database } from '../../src/db/schema.js';
import { createDataRepository } from '../../src/features/data/repository.js';
import { createFinance, type Finance } from '../../src/features/finance.js';

const SUB = 'auth0|totals';
const OTHER = 'auth0|other';

function open() {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
}

/** The totals as the transactions themselves say, to compare with the stored ones. */
async function fromRows(db: Kysely<Database>, sub: string) {
  const rows = await sql<{ month: string; category: string; total: number; n: number; out: number; nout: number }>`
    SELECT substr(date, 1, 7) AS month, coalesce(category_id, '') AS category, sum(amount_minor) AS total, count(*) AS n,
      sum(min(amount_minor, 0)) AS out, sum(amount_minor < 0) AS nout
    FROM transactions WHERE user_sub = ${sub} GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  return rows.rows.map((r) => ({ month: r.month, categoryId: r.category || null, total: Number(r.total), count: Number(r.n), out: Number(r.out), outCount: Number(r.nout) }));
}

async function stored(finance: Finance, sub: string) {
  const rows = await finance.transactions.monthlyTotals(sub, 'USD', null, '9999-12');
  return rows.sort((a, b) => `${a.month}|${a.categoryId ?? ''}`.localeCompare(`${b.month}|${b.categoryId ?? ''}`));
}

describe('stored monthly totals', () => {
  let db: Kysely<Database>;
  let finance: Finance;
  let account: string;
  let food: string;
  let rent: string;

  beforeEach(async () => {
    db = open();
    await migrateToLatest(db);
    finance = createFinance(db);
    for (const sub of [SUB, OTHER]) await finance.categories.ensureSeeded(sub, new Date());
    const categories = await finance.categories.list(SUB);
    food = categories.find((c) => c.group === 'need')!.id;
    rent = categories.find((c) => c.group === 'want')!.id;
    account = await finance.accounts.create(SUB, { name: 'Main', currency: 'USD' }, new Date());
  });

  it('agree with the transactions after adds, edits that move month and category, deletes and imports', async () => {
    const a = await finance.transactions.create(SUB, { accountId: account, date: '2026-03-05', description: 'Shop', amountMinor: -1250, categoryId: food }, new Date());
    await finance.transactions.create(SUB, { accountId: account, date: '2026-03-31', description: 'Pay', amountMinor: 300000, categoryId: null }, new Date());
    const c = await finance.transactions.create(SUB, { accountId: account, date: '2026-04-01', description: 'Rent', amountMinor: -90000, categoryId: rent }, new Date());
    expect(await stored(finance, SUB)).toEqual(await fromRows(db, SUB));

    await finance.transactions.update(SUB, a, { accountId: account, date: '2026-05-10', description: 'Shop', amountMinor: -1300, categoryId: rent }, new Date('2026-05-10T12:00:00Z'));
    expect(await stored(finance, SUB)).toEqual(await fromRows(db, SUB));
    expect((await stored(finance, SUB)).some((t) => t.month === '2026-03' && t.categoryId === food)).toBe(false);

    await finance.transactions.remove(SUB, c);
    expect(await stored(finance, SUB)).toEqual(await fromRows(db, SUB));
    expect((await stored(finance, SUB)).some((t) => t.month === '2026-04')).toBe(false);

    await finance.transactions.insertMany(
      SUB,
      Array.from({ length: 1200 }, (_, i) => ({ accountId: account, date: `2025-${String((i % 12) + 1).padStart(2, '0')}-15`, description: `Row ${i}`, amountMinor: -(i + 1), categoryId: i % 3 ? food : null })),
      new Date(),
    );
    expect(await stored(finance, SUB)).toEqual(await fromRows(db, SUB));
    expect(await stored(finance, OTHER)).toEqual([]);
  });

  it('go with the rest of the data when the user deletes everything', async () => {
    await finance.transactions.create(SUB, { accountId: account, date: '2026-03-05', description: 'Shop', amountMinor: -1250, categoryId: food }, new Date());
    await finance.transactions.create(SUB, { accountId: account, date: '2026-03-06', description: 'Shop', amountMinor: -1250, categoryId: food }, new Date());
    expect(await finance.transactions.repeatedCharges(SUB, '2026-03', 'USD')).toHaveLength(2);
    await createDataRepository(db).deleteEverything(SUB);
    expect(await stored(finance, SUB)).toEqual([]);
    expect(await db.selectFrom('month_repeats').selectAll().where('user_sub', '=', SUB).execute()).toEqual([]);
  });

  it('stay unchanged when an edit or delete names a transaction the user does not own', async () => {
    const id = await finance.transactions.create(SUB, { accountId: account, date: '2026-03-05', description: 'Shop', amountMinor: -1250, categoryId: food }, new Date());
    const before = await stored(finance, SUB);
    expect(await finance.transactions.update(OTHER, id, { accountId: account, date: '2026-06-01', description: 'x', amountMinor: -1, categoryId: null }, new Date('2026-06-01T12:00:00Z'))).toBe(false);
    expect(await finance.transactions.remove(OTHER, id)).toBe(false);
    expect(await stored(finance, SUB)).toEqual(before);
  });

  it('are filled from the existing transactions when the table is first created', async () => {
    const old = open();
    await migrateTo(old, '2026-11-29-005-transactions-covering-index');
    await sql`INSERT INTO accounts (id, user_sub, name, currency, archived, created_at) VALUES ('acc', ${SUB}, 'Main', 'USD', 0, '2026-01-01')`.execute(old);
    for (const [id, date, amount] of [['t1', '2026-01-02', -100], ['t2', '2026-01-20', -250], ['t3', '2026-02-01', 5000]] as const) {
      await sql`INSERT INTO transactions (id, user_sub, account_id, date, description, amount_minor, category_id, imported_id, created_at)
        VALUES (${id}, ${SUB}, 'acc', ${date}, 'x', ${amount}, NULL, NULL, '2026-01-01')`.execute(old);
    }
    await migrateToLatest(old);
    expect(await stored(createFinance(old), SUB)).toEqual([
      { month: '2026-01', categoryId: null, total: -350, count: 2, out: -350, outCount: 2 },
      { month: '2026-02', categoryId: null, total: 5000, count: 1, out: 0, outCount: 0 },
    ]);
  });
});

describe('the currency migration', () => {
  it('splits existing totals by account currency and gives budgets and goals the currency they were entered in', async () => {
    const old = open();
    await migrateTo(old, '2026-11-29-008-month-repeats');
    await sql`INSERT INTO users (sub, email_verified, roles, first_seen_at, last_login_at, currency) VALUES (${SUB}, 1, '[]', '2026-01-01', '2026-01-01', 'EUR')`.execute(old);
    await sql`INSERT INTO accounts (id, user_sub, name, currency, archived, created_at) VALUES ('usd', ${SUB}, 'US', 'USD', 0, '2026-01-01'), ('eur', ${SUB}, 'EU', 'EUR', 0, '2026-01-01')`.execute(old);
    await sql`INSERT INTO categories (id, user_sub, name, grp, created_at) VALUES ('food', ${SUB}, 'Food', 'need', '2026-01-01')`.execute(old);
    for (const [id, account, amount] of [['t1', 'usd', -100], ['t2', 'eur', -250], ['t3', 'eur', -250]] as const) {
      await sql`INSERT INTO transactions (id, user_sub, account_id, date, description, amount_minor, category_id, imported_id, created_at)
        VALUES (${id}, ${SUB}, ${account}, '2026-01-05', 'Shop', ${amount}, 'food', NULL, '2026-01-01')`.execute(old);
    }
    await sql`INSERT INTO budgets (user_sub, month, category_id, amount_minor) VALUES (${SUB}, '2026-01', 'food', 30000)`.execute(old);
    await migrateToLatest(old);
    const f = createFinance(old);
    expect((await f.transactions.monthlyTotals(SUB, 'USD', null, '2026-12')).map((t) => t.total)).toEqual([-100]);
    expect((await f.transactions.monthlyTotals(SUB, 'EUR', null, '2026-12')).map((t) => t.total)).toEqual([-500]);
    expect(await f.transactions.repeatedCharges(SUB, '2026-01', 'EUR')).toHaveLength(2);
    expect(await f.transactions.repeatedCharges(SUB, '2026-01', 'USD')).toEqual([]);
    expect(await f.budgets.between(SUB, 'EUR', null, '2026-12')).toEqual([{ month: '2026-01', categoryId: 'food', amount: 30000 }]);
    expect(await f.budgets.between(SUB, 'USD', null, '2026-12')).toEqual([]);
  });
});

describe('repeated charges', () => {
  it('return every row whose amount and description (ignoring case and outer spaces) repeat in the month, and follow edits and deletes', async () => {
    const db = open();
    await migrateToLatest(db);
    const finance = createFinance(db);
    const account = await finance.accounts.create(SUB, { name: 'Main', currency: 'USD' }, new Date());
    const add = (date: string, description: string, amountMinor: number) => finance.transactions.create(SUB, { accountId: account, date, description, amountMinor, categoryId: null }, new Date());
    const x1 = await add('2026-03-01', 'Streaming', -999);
    const x2 = await add('2026-03-02', '  STREAMING ', -999);
    await add('2026-03-03', 'Streaming', -1099); // another amount
    await add('2026-03-04', 'Salary', 5000); // money in
    await add('2026-03-05', 'Salary', 5000);
    await add('2026-04-01', 'Streaming', -999); // another month
    const found = await finance.transactions.repeatedCharges(SUB, '2026-03', 'USD');
    expect(found.map((t) => t.id).sort()).toEqual([x1, x2].sort());
    expect(await finance.transactions.repeatedCharges(OTHER, '2026-03', 'USD')).toEqual([]);
    // Moving one of the pair to another month ends the repeat; deleting its twin there too.
    const moved = await finance.transactions.find(SUB, x2);
    await finance.transactions.update(SUB, x2, { ...moved!, date: '2026-04-02' }, new Date('2026-04-02T12:00:00Z'));
    expect(await finance.transactions.repeatedCharges(SUB, '2026-03', 'USD')).toEqual([]);
    expect((await finance.transactions.repeatedCharges(SUB, '2026-04', 'USD')).length).toBe(2);
    await finance.transactions.remove(SUB, x2);
    expect(await finance.transactions.repeatedCharges(SUB, '2026-04', 'USD')).toEqual([]);
  });
});
