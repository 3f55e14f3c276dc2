import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsRule } from '../../src/features/rules/repository.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { ADMIN, csrfTokenOf, DEMO_ADMIN_TOTP_SECRET, signIn, submitTotp } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let finance: Finance;
let browser: TestBrowser;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  finance = createFinance(stack.database.db);
  browser = new TestBrowser();
  await signIn(browser, stack, ADMIN);
  const page = await submitTotp(browser, stack, await browser.get(`${stack.baseUrl}/data`), DEMO_ADMIN_TOTP_SECRET);
  token = csrfTokenOf(page);
});
afterAll(async () => {
  await stack?.close();
});

const SUB = ADMIN.sub;
const exportJson = async () => {
  const res = await browser.request(`${stack.baseUrl}/data/export`, { method: 'POST', body: new URLSearchParams({ _csrf: token, format: 'json' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return JSON.parse(res.body) as Record<string, Array<Record<string, unknown>>>;
};
async function restore(text: string): Promise<Page> {
  const form = new FormData();
  form.append('_csrf', token);
  form.append('file', new Blob([text], { type: 'application/json' }), 'export.json');
  return browser.request(`${stack.baseUrl}/data/restore`, { method: 'POST', body: form });
}
const api = async (path: string) => JSON.parse((await browser.request(`${stack.baseUrl}${path}`, { headers: { accept: 'application/json' } })).body) as unknown;
const deleteAll = () => browser.post(`${stack.baseUrl}/data/delete`, { _csrf: token, confirm: 'DELETE' });

/** What a person sees of the ledger, without ids (a restore gives everything new ones). */
async function picture() {
  const accounts = (await api('/api/accounts')) as Array<Record<string, unknown>>;
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  const categories = new Map((await finance.categories.list(SUB)).map((c) => [c.id, c.name]));
  const tx = (await api('/api/transactions?limit=500')) as { items: Array<Record<string, unknown> & { transfer: { account: string } | null; splits: Array<{ category: string; amount: number }> }> };
  const summary = (await api('/api/summary?month=2026-11')) as { categories: Array<Record<string, unknown>> };
  return {
    accounts: accounts.map(({ id: _id, ...a }) => a),
    transactions: tx.items.map(({ id: _id, account, category, transfer, splits, ...t }) => ({
      ...t,
      account: names.get(account as string),
      category: categories.get(category as string) ?? null,
      transfer: transfer && names.get(transfer.account),
      splits: splits.map((p) => ({ category: categories.get(p.category), amount: p.amount })),
    })),
    summary: { ...summary, categories: summary.categories.map(({ id: _id, ...c }) => c) },
  };
}

describe('restore from a JSON export', () => {
  it('brings back accounts, transfers, splits, cleared states, budgets, rules and goals exactly as exported', async () => {
    await finance.categories.ensureSeeded(SUB, new Date());
    const cat = new Map((await finance.categories.list(SUB)).map((c) => [c.name, c.id]));
    const hobby = await finance.categories.create(SUB, 'Pottery', 'want', new Date());
    const checking = await finance.accounts.create(SUB, { name: 'Checking', currency: 'USD', openingBalance: 120_000, openingDate: '2026-01-01' }, new Date());
    const savings = await finance.accounts.create(SUB, { name: 'Savings', currency: 'USD', type: 'savings' }, new Date());
    const euro = await finance.accounts.create(SUB, { name: 'Euro', currency: 'EUR' }, new Date());
    await finance.transactions.create(SUB, { accountId: checking, date: '2026-11-01', description: 'Salary', amountMinor: 400_000, categoryId: cat.get('Salary')!, cleared: 'reconciled' }, new Date());
    await finance.transactions.create(SUB, { accountId: checking, date: '2026-11-03', description: 'To savings', amountMinor: -50_000, categoryId: null, transfer: { accountId: savings, amountMinor: 50_000 } }, new Date());
    await finance.transactions.create(SUB, { accountId: checking, date: '2026-11-04', description: 'To euros', amountMinor: -11_000, categoryId: null, transfer: { accountId: euro, amountMinor: 10_000 } }, new Date());
    await finance.transactions.create(SUB, { accountId: checking, date: '2026-11-05', description: 'Store', memo: 'weekly', amountMinor: -9_000, categoryId: null, cleared: 'cleared', splits: [{ categoryId: cat.get('Groceries')!, amountMinor: -6_000, memo: null }, { categoryId: hobby, amountMinor: -3_000, memo: 'clay' }] }, new Date());
    await finance.budgets.setMonth(SUB, '2026-11', 'USD', [{ categoryId: cat.get('Groceries')!, amount: 40_000 }]);
    await finance.rules.create(SUB, containsRule('store', cat.get('Groceries')!), new Date());
    await finance.rules.create(SUB, { field: 'memo', op: 'starts_with', matchText: 'clay', minAmount: 100, maxAmount: 9_000, accountId: checking, categoryId: hobby, renameTo: 'Pottery shop' }, new Date());
    await finance.rates.upsert(SUB, 'USD', [{ currency: 'EUR', date: '2026-11-01', rateE8: 108_250_000 }]);
    await finance.schedules.create(SUB, { accountId: checking, description: 'To savings', amountMinor: -50_000, categoryId: null, transferAccountId: savings, frequency: 'months', every: 1, anchorDay: 31, nextDate: '2026-11-30' }, new Date());
    const before = await picture();
    const file = await exportJson();
    expect(file.format).toBe('personal-finance-coach/1');
    expect(file.transactions!.filter((t) => t.transferId !== null)).toHaveLength(4);

    // Not into a ledger that has accounts.
    const busy = await restore(JSON.stringify(file));
    expect(busy.status).toBe(409);
    expect(busy.body).toContain('a restore only goes into an empty ledger');

    await deleteAll();
    const done = await restore(JSON.stringify(file));
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/data');
    expect((await browser.get(`${stack.baseUrl}/data`)).body).toContain('Restored 3 accounts and 6 transactions; 1 new category.');
    expect(await picture()).toEqual(before);
    const rules = await finance.rules.list(SUB);
    expect(rules.map((r) => [r.matchText, r.field, r.op, r.minAmount, r.maxAmount, r.renameTo, r.position])).toEqual([
      ['store', 'payee', 'contains', null, null, null, 1],
      ['clay', 'memo', 'starts_with', 100, 9_000, 'Pottery shop', 2],
    ]);
    const accountsNow = await finance.accounts.list(SUB, { includeArchived: true });
    expect(rules[1]!.accountId).toBe(accountsNow.find((a) => a.name === 'Checking')!.id);
    expect((await finance.schedules.list(SUB)).map((x) => [x.description, x.anchorDay, x.nextDate, accountsNow.find((a) => a.id === x.transferAccountId)?.name])).toEqual([['To savings', 31, '2026-11-30', 'Savings']]);
    expect(await finance.rates.series(SUB, 'USD')).toEqual(new Map([['EUR', [{ date: '2026-11-01', rateE8: 108_250_000 }]]]));
    // Exported again, the file says the same (apart from ids and times).
    const strip = (f: Record<string, unknown>) => JSON.stringify(f, (k, v) => (['id', 'accountId', 'categoryId', 'transferId', 'transferAccountId', 'exportedAt', 'createdAt'].includes(k) ? undefined : v));
    expect(strip(await exportJson())).toBe(strip(file));
  });

  it('#51 checks the whole file first and writes nothing when any part is wrong, saying where (and needs the CSRF token and a fresh MFA)', async () => {
    await deleteAll();
    const good = {
      accounts: [{ id: 'a', name: 'Main', currency: 'USD' }],
      categories: [{ id: 'c', name: 'Food', group: 'need' }],
      transactions: [
        { id: 't1', accountId: 'a', date: '2026-11-01', description: 'Shop', amountMinor: -500, categoryId: 'c' },
        { id: 't2', accountId: 'a', date: '2026-11-02', description: 'Split', amountMinor: -900, splits: [{ categoryId: 'c', amountMinor: -400 }, { categoryId: null, amountMinor: -400 }] },
        { id: 't3', accountId: 'a', date: '2026-11-31', description: 'Bad date', amountMinor: 1.5 },
        { id: 't4', accountId: 'zzz', date: '2026-11-03', description: 'Orphan', amountMinor: -1, transferId: 'nope' },
      ],
    };
    const bad = await restore(JSON.stringify(good));
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('transactions[2].date: must be a date YYYY-MM-DD');
    expect(bad.body).toContain('transactions[2].amountMinor: must be a whole number of minor units');
    good.transactions.splice(2, 1);
    const inconsistent = await restore(JSON.stringify(good));
    expect(inconsistent.status).toBe(400);
    expect(inconsistent.body).toContain('transactions[1]: its split parts do not add up to its amount.');
    expect(inconsistent.body).toContain('transactions[2]: its account is not among the file');
    expect(inconsistent.body).toContain('transactions[2]: the other side of its transfer is not in the file');
    const twice = await restore(JSON.stringify({ ...good, transactions: [good.transactions[0], good.transactions[0]] }));
    expect(twice.body).toContain('transactions[1]: its id is used by another transaction of the file.');
    for (const text of ['not json', '{"accounts": 5}', '']) expect((await restore(text)).status, text).toBe(400);
    // Without the CSRF token, or signed in without a recent MFA, nothing is read.
    const noToken = new FormData();
    noToken.append('file', new Blob([JSON.stringify(good)], { type: 'application/json' }), 'export.json');
    expect((await browser.request(`${stack.baseUrl}/data/restore`, { method: 'POST', body: noToken })).status).toBe(403);
    const fresh = new TestBrowser();
    const page = await signIn(fresh, stack, ADMIN);
    const noMfa = new FormData();
    noMfa.append('_csrf', csrfTokenOf(page));
    noMfa.append('file', new Blob([JSON.stringify({ ...good, transactions: [] })], { type: 'application/json' }), 'export.json');
    expect((await fresh.request(`${stack.baseUrl}/data/restore`, { method: 'POST', body: noMfa })).status).toBe(403);
    expect(await finance.accounts.list(SUB, { includeArchived: true })).toEqual([]);
    expect(await finance.transactions.list(SUB, { from: '1900-01-01', to: '2199-12-31' })).toEqual([]);
  });
});
