import { beforeAll, describe, expect, it } from 'vitest';
import type { Finance } from '../../src/features/finance.js';
import type { TestBrowser } from '../helpers/browser.js';
import { MEMBER } from '../helpers/flows.js';
import { useMemberStack, type Stack } from '../helpers/stack.js';

const ctx = useMemberStack();
let stack: Stack;
let finance: Finance;
let browser: TestBrowser;
let token: string;
let usd: string;
let eur: string;
/** A form POST without following the redirect, so its own status can be checked. */
const postForm = (path: string, form: Record<string, string>) =>
  browser.request(`${stack.baseUrl}${path}`, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
beforeAll(async () => {
  ({ stack, finance, browser, token } = ctx);
  await finance.categories.ensureSeeded(MEMBER.sub, stack.clock.now());
  const groceries = (await finance.categories.list(MEMBER.sub)).find((c) => c.name === 'Groceries')!.id;
  usd = await finance.accounts.create(MEMBER.sub, { name: 'Checking', currency: 'USD' }, stack.clock.now());
  eur = await finance.accounts.create(MEMBER.sub, { name: 'Euro card', currency: 'EUR' }, stack.clock.now());
  await finance.transactions.create(MEMBER.sub, { accountId: usd, date: '2026-11-03', description: 'FreshMart', amountMinor: -2000, categoryId: groceries }, stack.clock.now());
  await finance.transactions.create(MEMBER.sub, { accountId: eur, date: '2026-11-04', description: 'Marché', amountMinor: -5000, categoryId: groceries }, stack.clock.now());
});

describe('one currency at a time', () => {
  it('the dashboard is in the main currency, lists the amounts it has no rate for instead of adding them, and links to the other', async () => {
    const dash = await browser.get(`${stack.baseUrl}/dashboard?month=2026-11`);
    expect(dash.body).toContain('These figures are in USD.');
    expect(dash.body).toMatch(/Not in these figures, for want of a rate:<\/strong>\s*€50.00 out on 1 day\./);
    expect(dash.body).toContain('href="/dashboard?month=2026-11&amp;currency=EUR"');
    expect(dash.body).toContain('<span class="label">Spending</span><span class="value">$20.00</span>');
    const inEur = await browser.get(`${stack.baseUrl}/dashboard?month=2026-11&currency=EUR`);
    expect(inEur.body).toContain('<span class="label">Spending</span><span class="value">€50.00</span>');
    expect(inEur.body).toContain('Checking (USD)');
  });

  it('/api/summary never adds an amount it has no rate for, says which currency it covers and lists what it left out', async () => {
    const body = JSON.parse((await browser.request(`${stack.baseUrl}/api/summary?month=2026-11`)).body);
    expect(body).toMatchObject({ currency: 'USD', expenses: 2000, converted: { from: [], unconverted: [{ currency: 'EUR', out: 5000, in: 0, days: 1 }] } });
    const eurBody = JSON.parse((await browser.request(`${stack.baseUrl}/api/summary?month=2026-11&currency=EUR`)).body);
    expect(eurBody).toMatchObject({ currency: 'EUR', expenses: 5000 });
    const bad = await browser.request(`${stack.baseUrl}/api/summary?month=2026-11&currency=JPY`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toContain('USD, EUR');
  });

  it('budgets are set and shown per currency', async () => {
    const groceries = (await finance.categories.list(MEMBER.sub)).find((c) => c.name === 'Groceries')!.id;
    const res = await postForm('/budgets', { _csrf: token, month: '2026-11', currency: 'EUR', [`amount_${groceries}`]: '300' });
    expect(res.status).toBe(303);
    expect(await finance.budgets.between(MEMBER.sub, 'EUR', '2026-11', '2026-11')).toEqual([{ month: '2026-11', categoryId: groceries, amount: 30000 }]);
    expect(await finance.budgets.between(MEMBER.sub, 'USD', '2026-11', '2026-11')).toEqual([]);
    const page = await browser.get(`${stack.baseUrl}/budgets?month=2026-11&currency=EUR`);
    expect(page.body).toContain('€250.00');
  });

  it('changing the profile currency changes the default for new accounts and the display, never existing amounts', async () => {
    expect((await postForm('/profile/preferences', { _csrf: token, displayName: '', currency: 'EUR' })).status).toBe(303);
    const accounts = await finance.accounts.list(MEMBER.sub, { includeArchived: true });
    expect(accounts.map((a) => [a.name, a.currency]).sort()).toEqual([['Checking', 'USD'], ['Euro card', 'EUR']]);
    const list = await browser.get(`${stack.baseUrl}/transactions?month=2026-11`);
    expect(list.body).toContain('-$20.00');
    expect(list.body).toContain('-€50.00');
    const dash = await browser.get(`${stack.baseUrl}/dashboard?month=2026-11`);
    expect(dash.body).toContain('<span class="label">Spending</span><span class="value">€50.00</span>');
    const form = await browser.get(`${stack.baseUrl}/accounts`);
    expect(form.body).toMatch(/<input id="currency" name="currency" list="currency-list" data-suggestions="\/fragments\/currency-list.html" value="EUR"/);
    expect((await postForm('/accounts', { _csrf: token, name: 'Yen wallet', currency: 'JPY' })).status).toBe(303);
    expect((await finance.accounts.list(MEMBER.sub, { includeArchived: true })).find((a) => a.name === 'Yen wallet')!.currency).toBe('JPY');
    const bad = await postForm('/accounts', { _csrf: token, name: 'Nope', currency: 'XXQ' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Choose a currency from the list: type its code (such as EUR) or its name (such as Euro).');
  });
});
