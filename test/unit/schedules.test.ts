import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrations.js';
import type { Database } from '../../src/db/schema.js';
import type { AccountBalance } from '../../src/features/accounts/balances.js';
import type { Account } from '../../src/features/accounts/repository.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { parseScheduleForm } from '../../src/features/schedules/form.js';
import { forecastOf } from '../../src/features/schedules/forecast.js';
import { following, occurrences, type Recurrence } from '../../src/features/schedules/recurrence.js';
import type { Schedule } from '../../src/features/schedules/repository.js';

const monthly = (anchorDay: number, every = 1): Recurrence => ({ frequency: 'months', every, anchorDay });

describe('schedule dates', () => {
  it('keep the day of the month across month ends: the 31st falls on the last day of shorter months and comes back', () => {
    expect(occurrences(monthly(31), '2026-01-31', '2026-06-30')).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30']);
    expect(occurrences(monthly(30), '2027-12-30', '2028-03-30')).toEqual(['2027-12-30', '2028-01-30', '2028-02-29', '2028-03-30']);
    expect(occurrences(monthly(15, 3), '2026-11-15', '2027-09-01')).toEqual(['2026-11-15', '2027-02-15', '2027-05-15', '2027-08-15']);
  });

  it('keep Feb 29 in leap years and fall on Feb 28 in the others', () => {
    const yearly: Recurrence = { frequency: 'years', every: 1, anchorDay: 29 };
    expect(occurrences(yearly, '2028-02-29', '2033-03-01')).toEqual(['2028-02-29', '2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29', '2033-02-28']);
    // 2100 is not a leap year.
    expect(following({ frequency: 'years', every: 4, anchorDay: 29 }, '2096-02-29')).toBe('2100-02-28');
  });

  it('step days and weeks across month and year ends, and stop at the last date the app keeps', () => {
    expect(occurrences({ frequency: 'weeks', every: 2, anchorDay: 20 }, '2026-12-20', '2027-01-31')).toEqual(['2026-12-20', '2027-01-03', '2027-01-17', '2027-01-31']);
    expect(following({ frequency: 'days', every: 10, anchorDay: 25 }, '2028-02-25')).toBe('2028-03-06');
    expect(following({ frequency: 'days', every: 1, anchorDay: 31 }, '2199-12-31')).toBeNull();
    expect(occurrences({ frequency: 'days', every: 1, anchorDay: 1 }, '2026-01-01', '2027-01-01', 50)).toHaveLength(50);
  });
});

const account = (over: Partial<Account> & Pick<Account, 'id'>): Account => ({ name: over.id, currency: 'USD', archived: false, type: 'checking', openingBalance: 0, openingDate: null, creditLimit: null, ...over });
const bal = (a: Account, balance: number): AccountBalance => ({ account: a, side: a.type === 'credit_card' || a.type === 'loan' ? 'liability' : 'asset', balance, cleared: balance });
const schedule = (over: Partial<Schedule> & Pick<Schedule, 'id' | 'accountId' | 'amountMinor' | 'nextDate'>): Schedule => ({
  description: over.id,
  categoryId: null,
  transferAccountId: null,
  frequency: 'months',
  every: 1,
  anchorDay: Number(over.nextDate.slice(8, 10)),
  ...over,
});

describe('the cash-flow forecast', () => {
  const TODAY = '2026-11-18';
  it('adds the schedules to today’s balance, counts due ones today, and says the first day below zero', () => {
    const chk = account({ id: 'chk' });
    const sav = account({ id: 'sav', type: 'savings' });
    const list = [
      schedule({ id: 'rent', accountId: 'chk', amountMinor: -150_000, nextDate: '2026-12-01' }),
      schedule({ id: 'salary', accountId: 'chk', amountMinor: 200_000, nextDate: '2026-12-15' }),
      schedule({ id: 'save', accountId: 'chk', amountMinor: -30_000, nextDate: '2026-11-10', transferAccountId: 'sav' }), // overdue
    ];
    const [c, s] = forecastOf([bal(chk, 100_000), bal(sav, 5_000)], list, TODAY);
    // Today: 1,000 - 300 (the overdue transfer) = 700. Dec 1: -800, the first day below zero.
    expect(c!.warning).toEqual({ date: '2026-12-01', amount: -80_000, kind: 'below-zero', limit: null });
    // Lowest on Dec 10, when the next transfer leaves before the salary comes: -800 - 300.
    expect(c!.lowest).toEqual({ amount: -110_000, date: '2026-12-10' });
    // By Dec 18 (30 days): + salary Dec 15 and the transfer on Dec 10 = -800 + 2,000 - 300 = 900.
    expect(c!.in30).toBe(90_000);
    // 90 days (to Feb 16): rent Dec 1, Jan 1, Feb 1; salary Dec 15, Jan 15, Feb 15; transfer Nov (due), Dec 10, Jan 10, Feb 10.
    expect(c!.in90).toBe(100_000 - 3 * 150_000 + 3 * 200_000 - 4 * 30_000);
    expect(c!.events.filter((e) => e.due).map((e) => e.date)).toEqual([TODAY]);
    expect(s!.in90).toBe(5_000 + 4 * 30_000);
    expect(s!.warning).toBeNull();
    // Its end balance is today's balance plus every event: the parts add up.
    for (const f of [c!, s!]) expect(f.in90).toBe(f.balance.balance + f.events.reduce((sum, e) => sum + e.amount, 0));
  });

  it('warns when a card would go past its limit, and not for a card without one or a loan', () => {
    const card = account({ id: 'card', type: 'credit_card', creditLimit: 100_000 });
    const open = account({ id: 'open', type: 'credit_card' });
    const loan = account({ id: 'loan', type: 'loan' });
    const list = ['card', 'open', 'loan'].map((id) => schedule({ id, accountId: id, amountMinor: -40_000, nextDate: '2026-11-20', frequency: 'weeks' }));
    const [c, o, l] = forecastOf([bal(card, -30_000), bal(open, -30_000), bal(loan, -900_000)], list, TODAY);
    // -300, then -700 on Nov 20, -1,100 on Nov 27: past the 1,000 limit.
    expect(c!.warning).toEqual({ date: '2026-11-27', amount: -110_000, kind: 'over-limit', limit: 100_000 });
    expect(o!.warning).toBeNull();
    expect(l!.warning).toBeNull();
  });

  it('counts a day’s movements together: salary and rent on one day never show a dip', () => {
    const chk = account({ id: 'chk' });
    const list = [schedule({ id: 'rent', accountId: 'chk', amountMinor: -150_000, nextDate: '2026-12-01' }), schedule({ id: 'pay', accountId: 'chk', amountMinor: 200_000, nextDate: '2026-12-01' })];
    expect(forecastOf([bal(chk, 10_000)], list, TODAY)[0]!.warning).toBeNull();
  });
});

describe('schedules in the ledger', () => {
  let db: Kysely<Database>;
  let f: Finance;
  const SUB = 'auth0|planner';
  const NOW = new Date('2026-11-18T12:00:00Z');
  let chk: string;
  let sav: string;
  beforeEach(async () => {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await migrateToLatest(db);
    f = createFinance(db);
    chk = await f.accounts.create(SUB, { name: 'Checking', currency: 'USD' }, NOW);
    sav = await f.accounts.create(SUB, { name: 'Savings', currency: 'USD', type: 'savings' }, NOW);
  });
  afterEach(() => db.destroy());

  it('enter a due date once as a transaction (a transfer for a scheduled transfer) and move on to the next date', async () => {
    const id = await f.schedules.create(SUB, { accountId: chk, description: 'To savings', amountMinor: -20_000, categoryId: null, transferAccountId: sav, frequency: 'months', every: 1, anchorDay: 31, nextDate: '2026-10-31' }, NOW);
    await f.planning.enterDue(SUB, id, '2026-11-18', NOW);
    expect((await f.schedules.find(SUB, id))!.nextDate).toBe('2026-11-30');
    const rows = await f.transactions.list(SUB, { from: '2026-10-01', to: '2026-12-31' });
    expect(rows.map((r) => [r.date, r.accountId, r.amountMinor])).toEqual(expect.arrayContaining([['2026-10-31', chk, -20_000], ['2026-10-31', sav, 20_000]]));
    // Not due yet: refused, nothing written.
    await expect(f.planning.enterDue(SUB, id, '2026-11-18', NOW)).rejects.toMatchObject({ status: 409 });
    expect(await f.transactions.list(SUB, { from: '2026-10-01', to: '2026-12-31' })).toHaveLength(2);
    // A second click on a stale page (the schedule moved on meanwhile) adds nothing.
    const stale = { ...(await f.schedules.find(SUB, id))!, nextDate: '2026-10-31' };
    expect(await f.schedules.enter(SUB, stale, '2026-11-30', NOW)).toBe(false);
    expect(await f.transactions.list(SUB, { from: '2026-10-01', to: '2026-12-31' })).toHaveLength(2);
    // Another user cannot enter, see or delete it.
    await expect(f.planning.enterDue('auth0|other', id, '2026-12-31', NOW)).rejects.toMatchObject({ status: 404 });
    expect(await f.schedules.remove('auth0|other', id)).toBe(false);
  });

  it('suggest payees that came back in three months and are not scheduled yet', async () => {
    for (const m of ['08', '09', '10', '11']) await f.transactions.create(SUB, { accountId: chk, date: `2026-${m}-03`, description: 'Streamly', amountMinor: -1_299, categoryId: null }, NOW);
    for (const m of ['09', '10']) await f.transactions.create(SUB, { accountId: chk, date: `2026-${m}-05`, description: 'Gym', amountMinor: -4_000, categoryId: null }, NOW);
    const [s, ...rest] = await f.planning.suggestions(SUB, '2026-11-18');
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ description: 'Streamly', amountMinor: -1_299, accountId: chk, frequency: 'months', nextDate: '2026-12-03' });
    await f.schedules.create(SUB, { ...s!, description: 'streamly ' }, NOW);
    expect(await f.planning.suggestions(SUB, '2026-11-18')).toEqual([]);
  });

  it('take the transaction form’s rules for payee, amount and transfer, and say what is wrong', async () => {
    const ctx = { accounts: await f.accounts.list(SUB, { includeArchived: false }), categories: [] };
    const ok = parseScheduleForm({ accountId: chk, date: '2027-01-31', description: 'Rent', amount: '1,500.00', kind: 'out', categoryId: '', frequency: 'months', every: '1' }, ctx);
    expect(ok.ok && ok.value).toMatchObject({ amountMinor: -150_000, anchorDay: 31, nextDate: '2027-01-31' });
    const bad = parseScheduleForm({ accountId: chk, date: '2027-02-30', description: '', amount: '-5', kind: 'transfer', transferAccountId: chk, frequency: 'fortnights', every: '0' }, ctx);
    expect(!bad.ok && bad.errors).toMatchObject({
      date: expect.stringContaining('Enter the next date'),
      description: 'Enter the payee, up to 200 characters.',
      amount: expect.stringContaining('above zero'),
      transferAccountId: 'Choose an account other than the one the money leaves.',
      frequency: 'Choose how often: days, weeks, months, years.',
    });
    const tooOften = parseScheduleForm({ accountId: chk, date: '2027-01-01', description: 'x', amount: '1', kind: 'out', frequency: 'months', every: '25' }, ctx);
    expect(!tooOften.ok && tooOften.errors.every).toBe('Enter a whole number from 1 to 24.');
  });
});
