import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/db/migrations.js';
import type { Database } from '../../src/db/schema.js';
import { balancesOf, byType, netWorthOf, netWorthSeries } from '../../src/features/accounts/balances.js';
import { RECONCILIATIONS_KEPT, type Account } from '../../src/features/accounts/repository.js';
import { signedColumns } from '../../src/features/coach/charts.js';
import { createFinance } from '../../src/features/finance.js';

const account = (over: Partial<Account> & Pick<Account, 'id'>): Account => ({
  name: over.id,
  currency: 'USD',
  archived: false,
  type: 'checking',
  openingBalance: 0,
  openingDate: null,
  creditLimit: null,
  ...over,
});

describe('account balances', () => {
  it('add the opening balance (once its date has come) to the transactions, and the cleared ones to the cleared balance', () => {
    const checking = account({ id: 'chk', openingBalance: 100_000, openingDate: '2026-01-01' });
    const later = account({ id: 'new', openingBalance: 5_000, openingDate: '2026-12-01' });
    const sums = new Map([['chk', { total: 47_500, cleared: -2_500 }]]);
    const [a, b] = balancesOf([checking, later], sums, '2026-11-18');
    expect(a).toMatchObject({ side: 'asset', balance: 147_500, cleared: 97_500 });
    expect(b).toMatchObject({ balance: 0, cleared: 0 });
    expect(balancesOf([later], new Map(), '2026-12-01')[0]).toMatchObject({ balance: 5_000, cleared: 5_000 });
  });

  it('count what liabilities owe as liabilities: net worth = assets - liabilities', () => {
    const worth = netWorthOf([
      { side: 'asset', balance: 100_000 },
      { side: 'asset', balance: -2_000 }, // an overdrawn checking account lowers the assets
      { side: 'liability', balance: -30_000 }, // a card owing 300.00
      { side: 'liability', balance: 1_000 }, // an overpaid card is owed to you
    ]);
    expect(worth).toEqual({ assets: 98_000, liabilities: 29_000, net: 69_000 });
  });

  it('group balances by type with totals that add up to the accounts and to net worth', () => {
    const accounts = [
      account({ id: 'c1', openingBalance: 1_000 }),
      account({ id: 'c2', openingBalance: 250 }),
      account({ id: 's', type: 'savings', openingBalance: 9_000 }),
      account({ id: 'v', type: 'credit_card', openingBalance: -400 }),
      account({ id: 'l', type: 'loan', openingBalance: -50_000 }),
    ];
    const balances = balancesOf(accounts, new Map([['c1', { total: -75, cleared: -75 }]]), '2026-11-18');
    const groups = byType(balances);
    expect(groups.map((g) => [g.type, g.total])).toEqual([['checking', 1_175], ['savings', 9_000], ['credit_card', -400], ['loan', -50_000]]);
    for (const g of groups) expect(g.total).toBe(g.accounts.reduce((sum, b) => sum + b.balance, 0));
    const worth = netWorthOf(balances);
    expect(worth.assets).toBe(groups.filter((g) => g.side === 'asset').reduce((sum, g) => sum + g.total, 0));
    expect(worth.liabilities).toBe(-groups.filter((g) => g.side === 'liability').reduce((sum, g) => sum + g.total, 0));
    expect(worth).toEqual({ assets: 10_175, liabilities: 50_400, net: -40_225 });
  });

  it('trace net worth month by month from per-account sums, and end at the balances of today', () => {
    const accounts = [account({ id: 'chk', openingBalance: 1_000 }), account({ id: 'card', type: 'credit_card', openingBalance: -200, openingDate: '2026-06-15' })];
    const monthly = [
      { accountId: 'chk', month: '2025-11', total: 5 }, // before the chart: carried in
      { accountId: 'chk', month: '2025-12', total: 10 },
      { accountId: 'chk', month: '2026-01', total: 100 },
      { accountId: 'chk', month: '2026-06', total: -50 },
      { accountId: 'card', month: '2026-07', total: -30 },
      { accountId: 'gone', month: '2026-07', total: 999_999 }, // not one of these accounts: ignored
    ];
    const series = netWorthSeries(accounts, monthly, '2026-11-18', 12);
    expect(series.map((s) => s.month)).toEqual(['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    expect(series.map((s) => s.net)).toEqual([1015, 1115, 1115, 1115, 1115, 1115, 865, 835, 835, 835, 835, 835]);
    expect(series[6]).toEqual({ month: '2026-06', assets: 1065, liabilities: 200, net: 865, missing: [] });
    for (const s of series) expect(s.net).toBe(s.assets - s.liabilities);

    const sums = new Map([
      ['chk', { total: 65, cleared: 0 }],
      ['card', { total: -30, cleared: 0 }],
    ]);
    expect(netWorthOf(balancesOf(accounts, sums, '2026-11-18'))).toEqual({ assets: 1065, liabilities: 230, net: 835 });
  });

  it('measure the months of a leap year at their last day, and the opening on its own day', () => {
    const accounts = [account({ id: 'sav', type: 'savings', openingBalance: 700, openingDate: '2028-02-29' })];
    const series = netWorthSeries(accounts, [], '2028-03-01', 3);
    expect(series.map((s) => [s.month, s.net])).toEqual([
      ['2028-01', 0],
      ['2028-02', 700],
      ['2028-03', 700],
    ]);
  });

  it('draw net worth columns above the zero line when positive and below it when negative', () => {
    const chart = signedColumns([
      { label: 'Oct', value: 500, display: '$5.00' },
      { label: 'Nov', value: -250, display: '-$2.50' },
    ]);
    const [up, down] = chart.bars;
    expect(up!.y + up!.height).toBe(chart.zeroY);
    expect(down!.y).toBe(chart.zeroY);
    expect(down!.kind).toBe('negative');
    expect(up!.height).toBeCloseTo(down!.height * 2, -1);
  });
});

describe('stored account sums', () => {
  it('agree with the rows after adds, edits across months and accounts, clearing, reconciling and deletes, on any day', async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await migrateToLatest(db);
    const f = createFinance(db);
    const sub = 'auth0|sums';
    const a = await f.accounts.create(sub, { name: 'A', currency: 'USD' }, new Date());
    const b = await f.accounts.create(sub, { name: 'B', currency: 'USD', type: 'credit_card' }, new Date());
    const direct = async (upTo: string) => {
      const rows = await sql<{ account_id: string; total: number; cleared: number }>`
        SELECT account_id, sum(amount_minor) AS total, sum(CASE WHEN cleared = 'uncleared' THEN 0 ELSE amount_minor END) AS cleared
        FROM transactions WHERE user_sub = ${sub} AND date <= ${upTo} GROUP BY account_id`.execute(db);
      return new Map(rows.rows.map((r) => [r.account_id, { total: Number(r.total), cleared: Number(r.cleared) }]));
    };
    const check = async () => {
      for (const day of ['2026-01-15', '2026-02-28', '2026-03-01', '2026-03-20', '2099-12-31']) expect(await f.accounts.sums(sub, day), day).toEqual(await direct(day));
    };
    const t1 = await f.transactions.create(sub, { accountId: a, date: '2026-01-10', description: 'x', amountMinor: 1_000, categoryId: null }, new Date());
    const t2 = await f.transactions.create(sub, { accountId: a, date: '2026-02-28', description: 'y', amountMinor: -300, categoryId: null, cleared: 'cleared' }, new Date());
    await f.transactions.insertMany(sub, [
      { accountId: b, date: '2026-03-01', description: 'z', amountMinor: -50, categoryId: null, cleared: 'cleared' },
      { accountId: b, date: '2026-03-25', description: 'w', amountMinor: -70, categoryId: null },
    ], new Date());
    await check();
    await f.transactions.setCleared(sub, t1, 'cleared');
    await check();
    await f.accounts.reconcile(sub, a, { date: '2026-02-28', balance: 700 }, new Date());
    await check();
    // Finishing again and again keeps only the newest statements.
    for (let i = 0; i < RECONCILIATIONS_KEPT + 5; i++) await f.accounts.reconcile(sub, a, { date: '2026-02-28', balance: 700 }, new Date(Date.UTC(2026, 2, 1, 0, 0, i)));
    expect(await sql<{ n: number }>`SELECT count(*) AS n FROM reconciliations WHERE account_id = ${a}`.execute(db).then((r) => Number(r.rows[0]!.n))).toBe(RECONCILIATIONS_KEPT);
    await f.transactions.update(sub, t2, { accountId: b, date: '2026-03-02', description: 'y', amountMinor: -310, categoryId: null, cleared: 'uncleared' }, new Date('2026-03-02T12:00:00Z'));
    await check();
    await f.transactions.remove(sub, t1);
    await check();
    expect((await f.accounts.monthlySums(sub, '2026-03-20')).sort((x, y) => x.month.localeCompare(y.month))).toEqual([{ accountId: b, month: '2026-03', total: -360 }]);
    await db.destroy();
  });
});

describe('migration 011', () => {
  it('keeps a database made by the previous schema: checking accounts opening at 0, transactions uncleared, sums unchanged', async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await migrateTo(db, '2026-12-01-010-account-deletions');
    await sql`INSERT INTO accounts (id, user_sub, name, currency, archived, created_at) VALUES ('a1', 'auth0|m', 'Main', 'USD', 0, '2026-01-01T00:00:00Z')`.execute(db);
    await sql`INSERT INTO transactions (id, user_sub, account_id, date, description, amount_minor, category_id, imported_id, memo, created_at)
      VALUES ('t1', 'auth0|m', 'a1', '2026-02-01', 'Pay', 250000, NULL, NULL, NULL, '2026-02-01T00:00:00Z'),
             ('t2', 'auth0|m', 'a1', '2026-02-03', 'Shop', -4200, NULL, 'imp-1', 'memo', '2026-02-03T00:00:00Z')`.execute(db);
    await migrateToLatest(db);
    const finance = createFinance(db);
    expect(await finance.accounts.find('auth0|m', 'a1')).toEqual({ id: 'a1', name: 'Main', currency: 'USD', archived: false, type: 'checking', openingBalance: 0, openingDate: null, creditLimit: null });
    expect((await finance.transactions.find('auth0|m', 't2'))).toMatchObject({ cleared: 'uncleared', memo: 'memo', importedId: 'imp-1', amountMinor: -4200 });
    const { balances } = await finance.balances.listWithBalances('auth0|m', '2026-11-18');
    expect(balances[0]).toMatchObject({ balance: 245_800, cleared: 0 });
    // The stored per-account sums were filled from the existing rows.
    expect(await finance.accounts.monthlySums('auth0|m', '2026-11-18')).toEqual([{ accountId: 'a1', month: '2026-02', total: 245_800 }]);
    await db.destroy();
  });
});
