import { everydayWork } from '../../src/db/migration-017.js';
import { numberStyle } from '../../src/db/migration-018.js';
import { sessionTable } from '../../src/db/migration-019.js';
import { rateLimitCounters } from '../../src/db/migration-020.js';
import { ledgerVersions } from '../../src/db/migration-021.js';
import { clusteredTotals } from '../../src/db/migration-022.js';
import { ledgerSizes } from '../../src/db/migration-024.js';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/db/migrations.js';
import type { Database } from '../../src/db/schema.js';
import { netWorthOf } from '../../src/features/accounts/balances.js';
import type { Category } from '../../src/features/categories/repository.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { parseTransactionForm } from '../../src/features/transactions/form.js';

const SUB = 'auth0|ledger';
const OTHER = 'auth0|someone-else';
const NOW = new Date('2026-11-18T12:00:00Z');
const TODAY = '2026-11-18';

let db: Kysely<Database>;
let f: Finance;
let checking: string;
let savings: string;
let card: string;
let cat: (name: string) => string;

beforeEach(async () => {
  db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  await migrateToLatest(db);
  f = createFinance(db);
  await f.categories.ensureSeeded(SUB, NOW);
  const categories = await f.categories.list(SUB);
  cat = (name) => categories.find((c) => c.name === name)!.id;
  checking = await f.accounts.create(SUB, { name: 'Checking', currency: 'USD', openingBalance: 100_000, openingDate: '2026-01-01' }, NOW);
  savings = await f.accounts.create(SUB, { name: 'Savings', currency: 'USD', type: 'savings' }, NOW);
  card = await f.accounts.create(SUB, { name: 'Visa', currency: 'USD', type: 'credit_card' }, NOW);
});
afterEach(() => db.destroy());

/** Per account, the sum of its rows, straight from the table. */
async function rowSums() {
  const r = await sql<{ account_id: string; total: number }>`SELECT account_id, sum(amount_minor) AS total FROM transactions WHERE user_sub = ${SUB} GROUP BY account_id`.execute(db);
  return Object.fromEntries(r.rows.map((x) => [x.account_id, Number(x.total)]));
}

/** Per month and category, what each category got straight from the rows: whole rows, or the parts of split ones; transfers apart. */
async function categoryTotalsFromRows() {
  const r = await sql<{ month: string; k: string; total: number }>`
    SELECT month, k, sum(amount) AS total FROM (
      SELECT substr(date, 1, 7) AS month, CASE WHEN transfer_id IS NOT NULL THEN 'transfer' ELSE coalesce(category_id, '') END AS k, amount_minor AS amount FROM transactions WHERE user_sub = ${SUB} AND split = 0
      UNION ALL
      SELECT substr(t.date, 1, 7), coalesce(s.category_id, ''), s.amount_minor FROM transaction_splits s JOIN transactions t ON t.id = s.transaction_id WHERE t.user_sub = ${SUB}
    ) GROUP BY month, k ORDER BY month, k`.execute(db);
  return r.rows.filter((x) => x.k !== 'transfer').map((x) => ({ month: x.month, categoryId: x.k || null, total: Number(x.total) }));
}

/** The per-day totals added up per month and category: they must say what the monthly ones say. */
async function dayTotalsByMonth(k: Kysely<Database> = db) {
  const r = await sql<{ month: string; currency: string; k: string; total: number; n: number }>`
    SELECT substr(date, 1, 7) AS month, currency, category_key AS k, sum(total_minor) AS total, sum(count) AS n FROM day_totals WHERE user_sub = ${SUB} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(k);
  const m = await sql<{ month: string; currency: string; k: string; total: number; n: number }>`
    SELECT month, currency, category_key AS k, total_minor AS total, count AS n FROM month_totals WHERE user_sub = ${SUB} ORDER BY 1, 2, 3`.execute(k);
  return { days: r.rows.map((x) => ({ ...x, total: Number(x.total), n: Number(x.n) })), months: m.rows.map((x) => ({ ...x, total: Number(x.total), n: Number(x.n) })) };
}

async function storedCategoryTotals() {
  const rows = await f.transactions.monthlyTotals(SUB, 'USD', null, '9999-12');
  return rows.map((r) => ({ month: r.month, categoryId: r.categoryId, total: r.total })).sort((a, b) => `${a.month}|${a.categoryId ?? ''}`.localeCompare(`${b.month}|${b.categoryId ?? ''}`));
}

const sortTotals = (rows: Array<{ month: string; categoryId: string | null; total: number }>) => rows.sort((a, b) => `${a.month}|${a.categoryId ?? ''}`.localeCompare(`${b.month}|${b.categoryId ?? ''}`));

describe('transfers', () => {
  it('are one linked pair that moves money between the accounts and is neither income nor spending, also when paying a card', async () => {
    await f.transactions.create(SUB, { accountId: checking, date: '2026-11-01', description: 'Salary', amountMinor: 300_000, categoryId: cat('Salary') }, NOW);
    await f.transactions.create(SUB, { accountId: card, date: '2026-11-03', description: 'Groceries', amountMinor: -12_000, categoryId: cat('Groceries') }, NOW);
    const toSavings = await f.transactions.create(SUB, { accountId: checking, date: '2026-11-05', description: 'To savings', amountMinor: -50_000, categoryId: null, transfer: { accountId: savings, amountMinor: 50_000 } }, NOW);
    await f.transactions.create(SUB, { accountId: checking, date: '2026-11-10', description: 'Pay the card', amountMinor: -12_000, categoryId: null, transfer: { accountId: card, amountMinor: 12_000 } }, NOW);

    const row = await f.transactions.find(SUB, toSavings);
    expect(row).toMatchObject({ accountId: checking, amountMinor: -50_000, categoryId: null, transfer: { accountId: savings, amountMinor: 50_000 } });
    const peer = await f.transactions.find(SUB, row!.transfer!.id);
    expect(peer).toMatchObject({ accountId: savings, amountMinor: 50_000, transfer: { id: toSavings, accountId: checking } });

    const s = await f.coach.monthSummary(SUB, '2026-11', TODAY, 'USD');
    expect(s.income).toBe(300_000);
    expect(s.expenses).toBe(12_000); // the groceries, once: paying the card for them is not spending again
    expect(s.uncategorized).toEqual({ count: 0, spent: 0, received: 0, spentCount: 0 });
    expect(s.savingsRate).toEqual({ value: 0.96, reason: null });
    expect([s.movedToSavings, s.saved]).toEqual([50_000, 50_000]); // the transfer to savings is saved, not spent

    const { balances } = await f.balances.listWithBalances(SUB, TODAY);
    const worth = netWorthOf(balances);
    const byName = Object.fromEntries(balances.map((b) => [b.account.name, b.balance]));
    // Checking: 1,000.00 opening + 3,000 salary - 500 to savings - 120 to the card.
    expect(byName).toEqual({ Checking: 100_000 + 300_000 - 50_000 - 12_000, Savings: 50_000, Visa: 0 });
    expect(worth.net).toBe(100_000 + 300_000 - 12_000);
    expect(await f.accounts.sums(SUB, TODAY)).toEqual(new Map(Object.entries(await rowSums()).map(([k, v]) => [k, { total: v, cleared: 0 }])));
  });

  it('change on both sides when one side is edited, and go away together when one is deleted', async () => {
    const id = await f.transactions.create(SUB, { accountId: checking, date: '2026-10-30', description: 'To savings', amountMinor: -20_000, categoryId: null, transfer: { accountId: savings, amountMinor: 20_000 } }, NOW);
    const peerId = (await f.transactions.find(SUB, id))!.transfer!.id;
    // Edit the receiving side: a new date (another month) and amount.
    await f.transactions.update(SUB, peerId, { accountId: savings, date: '2026-11-02', description: 'Savings top-up', amountMinor: 25_000, categoryId: null, transfer: { accountId: checking, amountMinor: -25_000 } }, NOW);
    expect(await f.transactions.find(SUB, id)).toMatchObject({ date: '2026-11-02', description: 'Savings top-up', amountMinor: -25_000, transfer: { id: peerId } });
    expect(await rowSums()).toEqual({ [checking]: -25_000, [savings]: 25_000 });
    expect(await storedCategoryTotals()).toEqual(sortTotals(await categoryTotalsFromRows()));

    // No longer a transfer: the other side is removed, this one becomes ordinary spending.
    await f.transactions.update(SUB, id, { accountId: checking, date: '2026-11-02', description: 'Cash', amountMinor: -25_000, categoryId: cat('Shopping'), transfer: null }, NOW);
    expect(await f.transactions.find(SUB, peerId)).toBeUndefined();
    expect((await f.coach.monthSummary(SUB, '2026-11', TODAY, 'USD')).expenses).toBe(25_000);

    // And a transfer again, then deleted from its other side: both rows go.
    await f.transactions.update(SUB, id, { accountId: checking, date: '2026-11-02', description: 'To card', amountMinor: -25_000, categoryId: null, transfer: { accountId: card, amountMinor: 25_000 } }, NOW);
    const cardSide = (await f.transactions.find(SUB, id))!.transfer!.id;
    expect((await f.coach.monthSummary(SUB, '2026-11', TODAY, 'USD')).expenses).toBe(0);
    expect(await f.transactions.remove(SUB, cardSide)).toBe(true);
    expect(await f.transactions.find(SUB, id)).toBeUndefined();
    expect(await rowSums()).toEqual({});
    expect(await f.accounts.sums(SUB, TODAY)).toEqual(new Map());
  });

  it('cannot be reached, changed or deleted by another user', async () => {
    const id = await f.transactions.create(SUB, { accountId: checking, date: '2026-11-05', description: 'To savings', amountMinor: -1_000, categoryId: null, transfer: { accountId: savings, amountMinor: 1_000 } }, NOW);
    expect(await f.transactions.find(OTHER, id)).toBeUndefined();
    expect(await f.transactions.update(OTHER, id, { accountId: checking, date: '2026-11-05', description: 'x', amountMinor: -1, categoryId: null }, NOW)).toBe(false);
    expect(await f.transactions.remove(OTHER, id)).toBe(false);
    expect(await rowSums()).toEqual({ [checking]: -1_000, [savings]: 1_000 });
  });

  it('are excluded from repeated-charge warnings', async () => {
    for (const day of ['2026-11-05', '2026-11-06']) await f.transactions.create(SUB, { accountId: checking, date: day, description: 'To savings', amountMinor: -1_000, categoryId: null, transfer: { accountId: savings, amountMinor: 1_000 } }, NOW);
    expect(await f.transactions.repeatedCharges(SUB, '2026-11', 'USD')).toEqual([]);
  });
});

describe('split transactions', () => {
  it('count each part in its category in the summary and budgets, and stored totals match the parts', async () => {
    await f.budgets.setMonth(SUB, '2026-11', 'USD', [{ categoryId: cat('Groceries'), amount: 10_000 }]);
    const id = await f.transactions.create(
      SUB,
      {
        accountId: checking,
        date: '2026-11-07',
        description: 'Big store',
        amountMinor: -9_000,
        categoryId: cat('Rent'), // ignored: the parts carry the categories
        splits: [
          { categoryId: cat('Groceries'), amountMinor: -6_000, memo: null },
          { categoryId: cat('Shopping'), amountMinor: -2_500, memo: 'socks' },
          { categoryId: null, amountMinor: -500, memo: null },
        ],
      },
      NOW,
    );
    const row = await f.transactions.find(SUB, id);
    expect(row).toMatchObject({ categoryId: null, amountMinor: -9_000 });
    expect(row!.splits.map((p) => p.amountMinor)).toEqual([-6_000, -2_500, -500]);
    const s = await f.coach.monthSummary(SUB, '2026-11', TODAY, 'USD');
    const spent = (name: string) => s.categories.find((c) => c.name === name)!.spent;
    expect([spent('Groceries'), spent('Shopping'), spent('Rent'), s.uncategorized.spent]).toEqual([6_000, 2_500, 0, 500]);
    expect(s.expenses).toBe(9_000);
    expect(s.categories.find((c) => c.name === 'Groceries')!.available).toBe(4_000);
    expect(await storedCategoryTotals()).toEqual(sortTotals(await categoryTotalsFromRows()));
    const { days, months } = await dayTotalsByMonth();
    expect(days).toEqual(months);
    // The category filter finds a split transaction by any of its parts.
    expect((await f.transactions.list(SUB, { from: '2026-11-01', to: '2026-11-30', categoryId: cat('Shopping') })).map((t) => t.id)).toEqual([id]);

    // Re-split, then un-split into one category: the stored totals follow each time.
    await f.transactions.update(SUB, id, { accountId: checking, date: '2026-11-07', description: 'Big store', amountMinor: -9_000, categoryId: null, splits: [{ categoryId: cat('Groceries'), amountMinor: -4_000, memo: null }, { categoryId: cat('Health'), amountMinor: -5_000, memo: null }] }, NOW);
    expect(await storedCategoryTotals()).toEqual(sortTotals(await categoryTotalsFromRows()));
    await f.transactions.update(SUB, id, { accountId: checking, date: '2026-11-07', description: 'Big store', amountMinor: -9_000, categoryId: cat('Groceries'), splits: null }, NOW);
    expect((await f.transactions.find(SUB, id))!.splits).toEqual([]);
    expect(await storedCategoryTotals()).toEqual([{ month: '2026-11', categoryId: cat('Groceries'), total: -9_000 }]);
    expect(await f.transactions.remove(SUB, id)).toBe(true);
    expect(await sql`SELECT * FROM transaction_splits`.execute(db).then((r) => r.rows)).toEqual([]);
  });
});

describe('the transaction form', () => {
  const accounts = () => f.accounts.list(SUB, { includeArchived: true });
  const categories = () => f.categories.list(SUB);
  const base = () => ({ accountId: checking, date: '2026-11-07', description: 'Store', memo: '', amount: '90.00', kind: 'out', categoryId: '' });

  it('takes split parts that add up to the amount, signed like it', async () => {
    const ctx = { accounts: await accounts(), categories: await categories() };
    const ok = parseTransactionForm({ ...base(), split0Category: cat('Groceries'), split0Amount: '60', split1Category: cat('Shopping'), split1Amount: '30.00' }, ctx);
    expect(ok.ok && ok.value.splits).toEqual([{ categoryId: cat('Groceries'), amountMinor: -6_000, memo: null }, { categoryId: cat('Shopping'), amountMinor: -3_000, memo: null }]);
  });

  it('says how far split parts are from the amount, and refuses a single part or a bad one', async () => {
    const ctx: { accounts: Awaited<ReturnType<typeof accounts>>; categories: Category[] } = { accounts: await accounts(), categories: await categories() };
    const short = parseTransactionForm({ ...base(), split0Category: cat('Groceries'), split0Amount: '60', split1Amount: '20' }, ctx);
    expect(!short.ok && short.errors.split).toBe('The parts add up to $80.00, not $90.00: $10.00 is not in any part.');
    const over = parseTransactionForm({ ...base(), split0Amount: '60', split1Amount: '40' }, ctx);
    expect(!over.ok && over.errors.split).toBe('The parts add up to $100.00, not $90.00: $10.00 too much.');
    const one = parseTransactionForm({ ...base(), split0Amount: '90' }, ctx);
    expect(!one.ok && one.errors.split).toMatch(/at least two parts/);
    const bad = parseTransactionForm({ ...base(), split0Amount: '-5', split1Amount: '95', split1Category: 'not-mine' }, ctx);
    expect(!bad.ok && [bad.errors.split0Amount, bad.errors.split1Category]).toEqual(['Enter an amount above zero, without a sign.', 'Choose one of your categories.']);
    expect(!bad.ok && bad.typed.split1Amount).toBe('95');
  });

  it('makes a transfer from one account to another, asking for the amount received when the currencies differ', async () => {
    const euro = await f.accounts.create(SUB, { name: 'Euro', currency: 'EUR' }, NOW);
    const ctx = { accounts: await accounts(), categories: await categories() };
    const ok = parseTransactionForm({ ...base(), kind: 'transfer', transferAccountId: savings, categoryId: cat('Rent') }, ctx);
    expect(ok.ok && ok.value).toMatchObject({ accountId: checking, amountMinor: -9_000, categoryId: null, transfer: { accountId: savings, amountMinor: 9_000 } });
    const same = parseTransactionForm({ ...base(), kind: 'transfer', transferAccountId: checking }, ctx);
    expect(!same.ok && same.errors.transferAccountId).toBe('Choose an account other than the one the money leaves.');
    const none = parseTransactionForm({ ...base(), kind: 'transfer' }, ctx);
    expect(!none.ok && none.errors.transferAccountId).toBe('Choose the account the money goes to.');
    const fx = parseTransactionForm({ ...base(), kind: 'transfer', transferAccountId: euro }, ctx);
    expect(!fx.ok && fx.errors.toAmount).toBe('Euro is in EUR: enter the amount that arrived there.');
    const fxOk = parseTransactionForm({ ...base(), kind: 'transfer', transferAccountId: euro, toAmount: '82.50' }, ctx);
    expect(fxOk.ok && fxOk.value.transfer).toEqual({ accountId: euro, amountMinor: 8_250 });
    const split = parseTransactionForm({ ...base(), kind: 'transfer', transferAccountId: savings, split0Amount: '45', split1Amount: '45' }, ctx);
    expect(!split.ok && split.errors.split).toBe('A transfer cannot be split; leave the parts empty.');
  });
});

describe('migration 016', () => {
  it('fills the per-day totals from the rows already there, split parts and transfers included', async () => {
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    // Rows written through today's code, then the table dropped and its migration forgotten: as a database made before it.
    await migrateToLatest(old);
    const g = createFinance(old);
    await g.categories.ensureSeeded(SUB, NOW);
    const c = (await g.categories.list(SUB)).map((x) => x.id);
    const a = await g.accounts.create(SUB, { name: 'A', currency: 'USD' }, NOW);
    const b = await g.accounts.create(SUB, { name: 'B', currency: 'EUR' }, NOW);
    await g.transactions.create(SUB, { accountId: a, date: '2026-10-01', description: 'x', amountMinor: -900, categoryId: null, splits: [{ categoryId: c[0]!, amountMinor: -400, memo: null }, { categoryId: c[1]!, amountMinor: -500, memo: null }] }, NOW);
    await g.transactions.create(SUB, { accountId: a, date: '2026-10-02', description: 'y', amountMinor: -1_000, categoryId: null, transfer: { accountId: b, amountMinor: 900 } }, NOW);
    await g.transactions.create(SUB, { accountId: b, date: '2026-11-02', description: 'z', amountMinor: 70, categoryId: c[2]! }, NOW);
    // The migrations after it are taken back first, as on a database that never had them.
    await ledgerSizes.down!(old);
    await clusteredTotals.down!(old);
    await ledgerVersions.down!(old);
    await rateLimitCounters.down!(old);
    await sessionTable.down!(old);
    await numberStyle.down!(old);
    await everydayWork.down!(old);
    await sql`DELETE FROM kysely_migration WHERE name >= '2026-12-02-016'`.execute(old);
    await sql`DROP TABLE day_totals`.execute(old);
    await migrateToLatest(old);
    const { days, months } = await dayTotalsByMonth(old);
    expect(days.length).toBeGreaterThan(0);
    expect(days).toEqual(months);
    await old.destroy();
  });
});

describe('migration 012', () => {
  it('keeps a database made by the previous schema: no transfers, no splits, the same totals', async () => {
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await migrateTo(old, '2026-12-01-011-balances');
    await sql`INSERT INTO accounts (id, user_sub, name, currency, archived, created_at, type, opening_balance_minor) VALUES ('a1', 'auth0|m', 'Main', 'USD', 0, '2026-01-01T00:00:00Z', 'savings', 500)`.execute(old);
    await sql`INSERT INTO transactions (id, user_sub, account_id, date, description, amount_minor, category_id, imported_id, memo, created_at, cleared)
      VALUES ('t1', 'auth0|m', 'a1', '2026-02-01', 'Pay', 250000, NULL, NULL, NULL, '2026-02-01T00:00:00Z', 'reconciled')`.execute(old);
    await sql`INSERT INTO month_totals (user_sub, month, currency, category_key, total_minor, count, out_minor, out_count) VALUES ('auth0|m', '2026-02', 'USD', '', 250000, 1, 0, 0)`.execute(old);
    await migrateToLatest(old);
    const finance = createFinance(old);
    expect(await finance.transactions.find('auth0|m', 't1')).toMatchObject({ amountMinor: 250_000, cleared: 'reconciled', transfer: null, splits: [] });
    expect((await finance.coach.monthSummary('auth0|m', '2026-02', TODAY, 'USD')).income).toBe(250_000);
    await old.destroy();
  });
});
