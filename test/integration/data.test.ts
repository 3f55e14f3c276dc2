import { one } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../src/features/data/export.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { TestBrowser } from '../helpers/browser.js';
import { ADMIN, csrfTokenOf, DEMO_ADMIN_TOTP_SECRET, MEMBER, signIn, submitTotp } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let finance: Finance;
beforeAll(async () => {
  stack = await startStack();
  finance = createFinance(stack.database.db);
  await finance.categories.ensureSeeded(ADMIN.sub, new Date());
  const account = await finance.accounts.create(ADMIN.sub, { name: '=HYPERLINK("x")', currency: 'USD' }, new Date());
  await finance.transactions.create(ADMIN.sub, { accountId: account, date: '2026-11-02', description: 'Lunch, "big"', amountMinor: -1250, categoryId: null }, new Date());
});
afterAll(async () => {
  await stack?.close();
});

const audits = async (type: string) => ((await one(stack.database, 'SELECT COUNT(*) AS n FROM audit_events WHERE type = ?', type)) as { n: number }).n;

describe('export and delete all my data', () => {
  it('need a fresh MFA: the page starts a step-up, and a POST without it is refused', async () => {
    const browser = new TestBrowser();
    const dash = await signIn(browser, stack, ADMIN);
    const page = await browser.request(`${stack.baseUrl}/data`);
    expect(page.status).toBe(302);
    expect(new URL(page.headers.get('location')!).searchParams.get('acr_values')).toContain('multi-factor');
    const post = await browser.post(`${stack.baseUrl}/data/export`, { _csrf: csrfTokenOf(dash), format: 'json' });
    expect(post.status).toBe(403);
  });

  it('export CSV (formula-safe) and JSON after MFA, audited; delete needs the word DELETE, then removes everything', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack, ADMIN);
    const mfa = await browser.get(`${stack.baseUrl}/data`);
    const page = await submitTotp(browser, stack, mfa, DEMO_ADMIN_TOTP_SECRET);
    expect(page.url).toBe(`${stack.baseUrl}/data`);
    const token = csrfTokenOf(page);

    const csv = await browser.request(`${stack.baseUrl}/data/export`, { method: 'POST', body: new URLSearchParams({ _csrf: token, format: 'csv' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="personal-finance-coach-\d{4}-\d\d-\d\d\.csv"/);
    expect(csv.body).toBe('date,account,description,amount,currency,category,group,memo,cleared,transfer_account,splits\r\n2026-11-02,"\'=HYPERLINK(""x"")","Lunch, ""big""",-12.50,USD,,,,uncleared,,\r\n');

    const json = await browser.request(`${stack.baseUrl}/data/export`, { method: 'POST', body: new URLSearchParams({ _csrf: token, format: 'json' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const body = JSON.parse(json.body);
    expect(body.user.sub).toBe(ADMIN.sub);
    expect(body.transactions).toEqual([expect.objectContaining({ date: '2026-11-02', amountMinor: -1250, cleared: 'uncleared' })]);
    expect(body.accounts).toEqual([expect.objectContaining({ type: 'checking', openingBalanceMinor: 0, openingDate: null })]);
    expect(body.categories.length).toBeGreaterThan(5);
    expect((await audits('data.exported'))).toBe(2);

    const refused = await browser.post(`${stack.baseUrl}/data/delete`, { _csrf: token, confirm: 'delete' });
    expect(refused.status).toBe(400);
    expect((await finance.transactions.list(ADMIN.sub, { from: '2000-01-01', to: '2999-01-01' })).length).toBe(1);

    const done = await browser.post(`${stack.baseUrl}/data/delete`, { _csrf: token, confirm: 'DELETE' });
    expect(done.body).toContain('All your finance data has been deleted.');
    expect((await finance.transactions.list(ADMIN.sub, { from: '2000-01-01', to: '2999-01-01' })).length).toBe(0);
    expect(await finance.accounts.list(ADMIN.sub, { includeArchived: true })).toEqual([]);
    expect((await audits('data.deleted'))).toBe(1);
  });

  it("leaves other users' data alone", async () => {
    await finance.categories.ensureSeeded(MEMBER.sub, new Date());
    expect((await finance.categories.list(MEMBER.sub)).length).toBeGreaterThan(0);
  });

  it('neutralises spreadsheet formulas in text cells only', () => {
    expect(csvCell('=1+1', { text: true })).toBe("'=1+1");
    expect(csvCell('-12.50', { text: false })).toBe('-12.50');
    expect(csvCell('@cmd', { text: true })).toBe("'@cmd");
    expect(csvCell('a,b', { text: true })).toBe('"a,b"');
  });
});

describe('accounts and categories belong to their owner', () => {
  it("answers 404 for another user's account, and changes nothing", async () => {
    const victim = await finance.accounts.create(MEMBER.sub, { name: 'Victim account', currency: 'USD' }, new Date());
    const other = new TestBrowser();
    const page = await signIn(other, stack, ADMIN);
    expect((await other.request(`${stack.baseUrl}/accounts/${victim}/edit`)).status).toBe(404);
    const res = await other.post(`${stack.baseUrl}/accounts/${victim}`, { _csrf: csrfTokenOf(page), name: 'Renamed', archived: 'on' });
    expect(res.status).toBe(404);
    expect(await finance.accounts.find(MEMBER.sub, victim)).toMatchObject({ name: 'Victim account', archived: false });
  });

  it("answers 404 for another user's category", async () => {
    const cat = (await finance.categories.list(MEMBER.sub))[0]!;
    const other = new TestBrowser();
    const page = await signIn(other, stack, ADMIN);
    const res = await other.post(`${stack.baseUrl}/categories/${cat.id}`, { _csrf: csrfTokenOf(page), name: 'Stolen', group: 'want' });
    expect(res.status).toBe(404);
    expect((await finance.categories.list(MEMBER.sub)).find((c) => c.id === cat.id)?.name).toBe(cat.name);
  });

  it('offers a rule after a manual re-categorisation, and the rule is kept', async () => {
    const browser = new TestBrowser();
    const page = await signIn(browser, stack, MEMBER);
    const account = await finance.accounts.create(MEMBER.sub, { name: 'Main', currency: 'USD' }, new Date());
    const id = await finance.transactions.create(MEMBER.sub, { accountId: account, date: '2026-11-03', description: 'Blue Bottle Coffee', amountMinor: -450, categoryId: null }, new Date());
    const dining = (await finance.categories.list(MEMBER.sub)).find((c) => c.name === 'Dining out')!;
    const list = await browser.post(`${stack.baseUrl}/transactions/${id}`, { _csrf: csrfTokenOf(page), accountId: account, date: '2026-11-03', description: 'Blue Bottle Coffee', kind: 'out', amount: '4.50', categoryId: dining.id });
    expect(list.body).toContain('Always put descriptions containing');
    await browser.post(`${stack.baseUrl}/categories/rules`, { _csrf: csrfTokenOf(page), matchText: 'Blue Bottle', categoryId: dining.id });
    expect(await finance.rules.list(MEMBER.sub)).toEqual([expect.objectContaining({ matchText: 'Blue Bottle', categoryId: dining.id })]);
  });
});
