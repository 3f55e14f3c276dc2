import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock/clock.js';
import { migrateToLatest } from '../../src/db/migrations.js';
import type { Database } from '../../src/db/schema.js';
import type { MonthSummary } from '../../src/features/coach/service.js';
import { seedDemoData } from '../../src/features/demo/seed.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { addMonths } from '../../src/money/dates.js';
import { MAX_AMOUNT_MINOR } from '../../src/money/money.js';
import { VolumeLimitError } from '../../src/features/transactions/month-totals.js';

const SUB = 'auth0|coach-rules';
const NOW = new Date('2026-11-18T12:00:00Z');

async function setup() {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  await migrateToLatest(db);
  const finance = createFinance(db);
  await finance.categories.ensureSeeded(SUB, NOW);
  const cats = new Map((await finance.categories.list(SUB)).map((c) => [c.name, c.id]));
  const usd = await finance.accounts.create(SUB, { name: 'Checking', currency: 'USD' }, NOW);
  return { db, finance, cats, usd };
}

/** The rules every month's figures must keep, whatever the data. */
function expectInvariants(s: MonthSummary) {
  const spending = s.categories.filter((c) => c.group === 'need' || c.group === 'want');
  expect(s.expenses).toBe(spending.reduce((sum, c) => sum + c.spent, 0) + s.uncategorized.spent);
  for (const c of s.categories) {
    if (c.group === 'income') continue;
    expect(c.available).toBe(c.budget + c.carried - c.spent);
  }
  expect(s.net).toBe(s.income - s.expenses);
  expect(s.split.reduce((sum, g) => sum + g.amount, 0)).toBe(s.expenses + s.saved);
  // The income-and-expenses chart ends with this month, with the same figures as the summary.
  expect(s.history.at(-1)).toEqual({ month: s.month, income: s.income, expenses: s.expenses });
}

describe('rollover', () => {
  let f: Finance;
  let cats: Map<string, string>;
  let usd: string;
  beforeEach(async () => {
    ({ finance: f, cats, usd } = await setup());
  });

  it('carries each month\'s available into the next, surplus and deficit, over a 14-month chain with no look-back window', async () => {
    const groceries = cats.get('Groceries')!;
    const start = '2025-09';
    const months = Array.from({ length: 14 }, (_, i) => addMonths(start, i));
    // Budgets every month but two; spending varied, overspent in some months, nothing at all in one.
    const spend = [30000, 52000, 45000, 0, 61000, 44999, 45000, 12000, 80000, 45000, 45000, 1, 40000, 45000];
    for (const [i, m] of months.entries()) {
      if (i !== 5 && i !== 9) await f.budgets.setMonth(SUB, m, 'USD', [{ categoryId: groceries, amount: 45000 }]);
      if (spend[i]) await f.transactions.create(SUB, { accountId: usd, date: `${m}-10`, description: 'FreshMart', amountMinor: -spend[i]!, categoryId: groceries }, NOW);
    }
    let carriedIn = 0;
    for (const [i, m] of months.entries()) {
      const s = await f.coach.monthSummary(SUB, m, '2026-11-18', 'USD');
      const g = s.categories.find((c) => c.id === groceries)!;
      expectInvariants(s);
      expect(g.carried).toBe(carriedIn);
      expect(g.budget).toBe(i === 5 || i === 9 ? 0 : 45000);
      expect(g.spent).toBe(spend[i]);
      carriedIn = g.available;
    }
    // 12 budgets of 450.00 less 545,000 spent in all
    expect(carriedIn).toBe(12 * 45000 - spend.reduce((a, b) => a + b, 0));
  });

  it('carries January\'s available into February exactly when nothing happens in between, however old the history', async () => {
    const groceries = cats.get('Groceries')!;
    for (let i = 0; i < 30; i++) {
      const m = addMonths('2023-08', i);
      await f.budgets.setMonth(SUB, m, 'USD', [{ categoryId: groceries, amount: 45000 }]);
      await f.transactions.create(SUB, { accountId: usd, date: `${m}-03`, description: 'FreshMart', amountMinor: -(40000 + ((i * 3779) % 9000)), categoryId: groceries }, NOW);
    }
    const jan = (await f.coach.monthSummary(SUB, '2026-01', '2026-11-18', 'USD')).categories.find((c) => c.id === groceries)!;
    const feb = (await f.coach.monthSummary(SUB, '2026-02', '2026-11-18', 'USD')).categories.find((c) => c.id === groceries)!;
    expect(feb.carried).toBe(jan.available);
    expect(feb.available).toBe(jan.available);
  });

  it('starts a category\'s chain at its first budget: spending before it is not a debt', async () => {
    const dining = cats.get('Dining out')!;
    await f.transactions.create(SUB, { accountId: usd, date: '2026-08-10', description: 'Before', amountMinor: -9000, categoryId: dining }, NOW);
    await f.budgets.setMonth(SUB, '2026-09', 'USD', [{ categoryId: dining, amount: 10000 }]);
    const aug = (await f.coach.monthSummary(SUB, '2026-08', '2026-11-18', 'USD')).categories.find((c) => c.id === dining)!;
    const sep = (await f.coach.monthSummary(SUB, '2026-09', '2026-11-18', 'USD')).categories.find((c) => c.id === dining)!;
    expect(aug).toMatchObject({ budgeted: false, carried: 0, available: -9000, level: 'none' });
    expect(sep).toMatchObject({ budgeted: true, carried: 0, available: 10000 });
  });

  it('calls spending exactly the budget plus the carry "fully used", and a cent more "over"', async () => {
    const rent = cats.get('Rent')!;
    await f.budgets.setMonth(SUB, '2026-09', 'USD', [{ categoryId: rent, amount: 100000 }]);
    await f.budgets.setMonth(SUB, '2026-10', 'USD', [{ categoryId: rent, amount: 100000 }]);
    await f.transactions.create(SUB, { accountId: usd, date: '2026-09-02', description: 'Rent', amountMinor: -90000, categoryId: rent }, NOW);
    const id = await f.transactions.create(SUB, { accountId: usd, date: '2026-10-02', description: 'Rent', amountMinor: -110000, categoryId: rent }, NOW);
    const oct = (await f.coach.monthSummary(SUB, '2026-10', '2026-11-18', 'USD')).categories.find((c) => c.id === rent)!;
    expect(oct).toMatchObject({ carried: 10000, available: 0, level: 'full' });
    await f.transactions.update(SUB, id, { accountId: usd, date: '2026-10-02', description: 'Rent', amountMinor: -110001, categoryId: rent }, new Date('2026-10-02T12:00:00Z'));
    const over = (await f.coach.monthSummary(SUB, '2026-10', '2026-11-18', 'USD')).categories.find((c) => c.id === rent)!;
    expect(over).toMatchObject({ available: -1, level: 'over' });
  });
});

describe('uncategorized money', () => {
  it('is its own line: counted in expenses, in no 50/30/20 group, never netted against money in', async () => {
    const { finance: f, cats, usd } = await setup();
    await f.transactions.insertMany(
      SUB,
      [
        { accountId: usd, date: '2026-10-01', description: 'Pay (not categorised)', amountMinor: 300000, categoryId: null },
        { accountId: usd, date: '2026-10-02', description: 'Corner shop', amountMinor: -2500, categoryId: null },
        { accountId: usd, date: '2026-10-03', description: 'Market', amountMinor: -7500, categoryId: null },
        { accountId: usd, date: '2026-10-04', description: 'Groceries', amountMinor: -20000, categoryId: cats.get('Groceries')! },
        { accountId: usd, date: '2026-10-05', description: 'Salary', amountMinor: 100000, categoryId: cats.get('Salary')! },
      ],
      NOW,
    );
    const s = await f.coach.monthSummary(SUB, '2026-10', '2026-11-18', 'USD');
    expect(s.uncategorized).toEqual({ count: 3, spent: 10000, spentCount: 2, received: 300000 });
    expect(s.expenses).toBe(30000);
    expect(s.income).toBe(400000);
    expect(s.split.find((g) => g.group === 'none')).toMatchObject({ amount: 10000, target: null });
    expect(s.split.find((g) => g.group === 'need')!.amount).toBe(20000);
    expectInvariants(s);
  });
});

describe('the demo year', () => {
  it('keeps every invariant in every month: expenses add up, available = budget + carried - spent, carried = last month\'s available', async () => {
    const { finance: f } = await setup();
    const sub = 'auth0|demo-year';
    const clock = fixedClock('2026-11-18T12:00:00Z');
    await seedDemoData(f, sub, clock);
    let previous: MonthSummary | undefined;
    for (let i = 12; i >= 0; i--) {
      const s = await f.coach.monthSummary(sub, addMonths('2026-11', -i), '2026-11-18', 'USD');
      expectInvariants(s);
      if (previous) {
        for (const c of s.categories.filter((x) => x.budgeted)) expect(c.carried).toBe(previous.categories.find((p) => p.id === c.id)!.available);
      }
      previous = s;
    }
    expect(previous!.uncategorized.count).toBeGreaterThan(0);
  });

  it('shows the whole ledger: savings fed by transfers, a card paid off by transfer, a split run, schedules and a second currency', async () => {
    const { finance: f } = await setup();
    const sub = 'auth0|demo-ledger';
    await seedDemoData(f, sub, fixedClock('2026-11-18T12:00:00Z'));
    const accounts = await f.accounts.list(sub, { includeArchived: false });
    const id = (name: string) => accounts.find((a) => a.name === name)!.id;
    const rows = await f.transactions.list(sub, { from: '2025-01-01', to: '2026-11-18', limit: 100_000 });
    const toSavings = rows.filter((r) => r.accountId === id('Everyday checking') && r.transfer?.accountId === id('Savings'));
    expect(toSavings).toHaveLength(12);
    const cardPayments = rows.filter((r) => r.accountId === id('Visa card') && r.transfer && r.amountMinor > 0);
    expect(cardPayments.length).toBe(11);
    // Each payment clears the month before: the card owes only this month's charges.
    const { balances } = await f.balances.listWithBalances(sub, '2026-11-18');
    const onCardThisMonth = rows.filter((r) => r.accountId === id('Visa card') && !r.transfer && r.date >= '2026-11-01').reduce((s, r) => s + r.amountMinor, 0);
    expect(balances.find((b) => b.account.name === 'Visa card')!.balance).toBe(onCardThisMonth);
    expect(rows.filter((r) => r.splits.length === 2).length).toBe(12);
    expect(rows.find((r) => r.accountId === id('Euro account') && r.transfer)).toMatchObject({ amountMinor: 50000, transfer: { amountMinor: -55000 } });
    expect((await f.schedules.list(sub)).map((s) => [s.description, s.nextDate])).toEqual([
      ['Acme Corp payroll', '2026-12-01'],
      ['Maple Street Apartments rent', '2026-12-02'],
      ['Transfer to savings', '2026-12-03'],
    ]);
    // The transfers are saved, not spent: November's savings are the transfer to the savings account.
    const s = await f.coach.monthSummary(sub, '2026-11', '2026-11-18', 'USD');
    expect(s.movedToSavings).toBe(50000);
    expectInvariants(s);
  });
});

describe('several currencies', () => {
  it('never adds amounts of different currencies, and budgets belong to one currency', async () => {
    const { finance: f, cats, usd } = await setup();
    const eur = await f.accounts.create(SUB, { name: 'Euro card', currency: 'EUR' }, NOW);
    const groceries = cats.get('Groceries')!;
    await f.transactions.create(SUB, { accountId: usd, date: '2026-10-04', description: 'FreshMart', amountMinor: -2000, categoryId: groceries }, NOW);
    await f.transactions.create(SUB, { accountId: eur, date: '2026-10-05', description: 'Marché', amountMinor: -5000, categoryId: groceries }, NOW);
    await f.budgets.setMonth(SUB, '2026-10', 'EUR', [{ categoryId: groceries, amount: 30000 }]);
    const usdView = await f.coach.monthSummary(SUB, '2026-10', '2026-11-18', 'USD');
    const eurView = await f.coach.monthSummary(SUB, '2026-10', '2026-11-18', 'EUR');
    expect(usdView.categories.find((c) => c.id === groceries)).toMatchObject({ spent: 2000, budget: 0, budgeted: false });
    expect(eurView.categories.find((c) => c.id === groceries)).toMatchObject({ spent: 5000, budget: 30000, available: 25000 });
    expect([usdView.expenses, eurView.expenses]).toEqual([2000, 5000]);
  });
});

describe('the main currency, converted', () => {
  it('takes other currencies in at the rate of each day, lists what has no rate, and keeps every invariant and the rollover', async () => {
    const { finance: f, cats, usd } = await setup();
    const eur = await f.accounts.create(SUB, { name: 'Euro', currency: 'EUR' }, NOW);
    const jpy = await f.accounts.create(SUB, { name: 'Yen', currency: 'JPY' }, NOW);
    const [groceries, salary] = [cats.get('Groceries')!, cats.get('Salary')!];
    await f.rates.upsert(SUB, 'USD', [
      { currency: 'EUR', date: '2026-09-01', rateE8: 110_000_000 },
      { currency: 'EUR', date: '2026-10-15', rateE8: 120_000_000 },
    ]);
    await f.budgets.setMonth(SUB, '2026-09', 'USD', [{ categoryId: groceries, amount: 50_000 }]);
    await f.transactions.insertMany(SUB, [
      { accountId: usd, date: '2026-10-01', description: 'Pay', amountMinor: 300_000, categoryId: salary },
      { accountId: usd, date: '2026-10-02', description: 'Shop', amountMinor: -10_000, categoryId: groceries },
      { accountId: eur, date: '2026-09-20', description: 'Marché', amountMinor: -10_000, categoryId: groceries }, // €100 at 1.10 = $110
      { accountId: eur, date: '2026-10-14', description: 'Marché', amountMinor: -10_000, categoryId: groceries }, // at 1.10 (the day before the new rate)
      { accountId: eur, date: '2026-10-15', description: 'Marché', amountMinor: -5_000, categoryId: groceries }, // €50 at 1.20 = $60
      { accountId: eur, date: '2026-10-16', description: 'Refund', amountMinor: 2_000, categoryId: groceries }, // €20 at 1.20 = $24 back
      { accountId: jpy, date: '2026-10-03', description: 'Ramen', amountMinor: -1_500, categoryId: groceries }, // no rate: listed
    ], NOW);
    const oct = await f.coach.monthSummary(SUB, '2026-10', '2026-11-18', 'USD', { main: 'USD' });
    const g = oct.categories.find((c) => c.id === groceries)!;
    expect(g.spent).toBe(10_000 + 11_000 + 6_000 - 2_400);
    expect(oct.income).toBe(300_000);
    expect(oct.conversion).toEqual({ from: ['EUR'], unconverted: [{ currency: 'JPY', out: 1_500, in: 0, days: 1 }], earlierDaysWithoutRate: 0 });
    // September: budget 500.00, spent 110.00 converted -> 390.00 carried into October.
    const sep = await f.coach.monthSummary(SUB, '2026-09', '2026-11-18', 'USD', { main: 'USD' });
    expect(sep.categories.find((c) => c.id === groceries)!.available).toBe(39_000);
    expect(g.carried).toBe(39_000);
    expectInvariants(oct);
    expectInvariants(sep);
    // Per currency, nothing is converted: the euro view has only euros.
    const eurView = await f.coach.monthSummary(SUB, '2026-10', '2026-11-18', 'EUR', { main: 'USD' });
    expect(eurView.categories.find((c) => c.id === groceries)!.spent).toBe(10_000 + 5_000 - 2_000);
    expect(eurView.conversion).toBeNull();
  });
});

describe('bounded amounts', () => {
  it('refuses a write that would take the sum of all amounts past the limit, and writes none of it', async () => {
    const { finance: f, usd } = await setup();
    // 9,300 rows of the largest amount once overflowed SQLite's integers (a 500): now a 400, nothing written.
    const rows = Array.from({ length: 1001 }, (_, i) => ({ accountId: usd, date: '2026-10-01', description: `Big ${i}`, amountMinor: -MAX_AMOUNT_MINOR, categoryId: null }));
    await expect(f.transactions.insertMany(SUB, rows, NOW)).rejects.toBeInstanceOf(VolumeLimitError);
    expect(await f.transactions.list(SUB, { from: '1900-01-01', to: '2199-12-31' })).toEqual([]);
    expect(await f.transactions.size(SUB)).toEqual({ rows: 0, volume: 0 });
    await f.transactions.insertMany(SUB, rows.slice(0, 1000), NOW);
    const s = await f.coach.monthSummary(SUB, '2026-10', '2026-11-18', 'USD');
    expect(s.uncategorized.spent).toBe(1000 * MAX_AMOUNT_MINOR);
    expect(Number.isSafeInteger(s.expenses)).toBe(true);
    // Over the limit is refused for growth only: a delete still works.
    const one = (await f.transactions.list(SUB, { from: '2026-10-01', to: '2026-10-01', limit: 1 }))[0]!;
    expect(await f.transactions.remove(SUB, one.id)).toBe(true);
  });
});
