import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../src/features/demo/seed.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { todayOf } from '../../src/clock/clock.js';
import { TestBrowser } from '../helpers/browser.js';
import { ADMIN, csrfTokenOf, MEMBER, signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { run } from '../helpers/sql.js';
import { createUsersRepository } from '../../src/users/repository.js';

let stack: Stack;
let finance: Finance;
let member: TestBrowser;
let page: string;
beforeAll(async () => {
  stack = await startStack();
  finance = createFinance(stack.database.db);
  await seedDemoData(finance, MEMBER.sub, stack.clock);
  member = new TestBrowser();
  page = (await signIn(member, stack)).body;
});
afterAll(async () => {
  await stack?.close();
});

const csrf = () => /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
async function post(browser: TestBrowser, path: string, form: Record<string, string>) {
  return browser.request(`${stack.baseUrl}${path}`, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}
async function memberAccount() {
  return (await finance.accounts.list(MEMBER.sub, { includeArchived: false })).find((a) => a.name === 'Everyday checking')!;
}

describe('the demo member', () => {
  it('starts with a year of transactions, budgets and a goal, and the dashboard coaches on them', async () => {
    const dash = await member.get(`${stack.baseUrl}/dashboard`);
    expect(dash.status).toBe(200);
    expect(dash.body).toContain('Possible duplicate charge: <strong>Blue Bottle Coffee</strong>');
    expect(dash.body).toMatch(/<strong>Shopping<\/strong>: \$[\d,.]+ is unusual/);
    expect(dash.body).toContain('Emergency fund');
    expect(dash.body).toContain('<svg viewBox');
    expect(dash.body).toContain('Data table');
    expect(dash.body).not.toContain('-$0.00');
  });

  it('shows the same dashboard again while nothing changes, and a new charge at once, in its figures and its charts', async () => {
    const same = (html: string) => html.replace(/nonce="[^"]+"/g, '').replace(/name="_csrf" value="[^"]+"/g, '');
    // The spending chart's data table row for money with no category.
    const uncategorized = (html: string) => {
      const m = /<tr><td>Uncategorized<\/td><td class="num">\$([\d,.]+)<\/td><\/tr>/.exec(html);
      return m ? Math.round(Number(m[1]!.replace(/,/g, '')) * 100) : 0;
    };
    const first = (await member.get(`${stack.baseUrl}/dashboard`)).body;
    expect(same((await member.get(`${stack.baseUrl}/dashboard`)).body)).toBe(same(first));
    const account = await memberAccount();
    const added = await post(member, '/transactions', { _csrf: csrf(), accountId: account.id, date: todayOf(stack.clock), description: 'Dashboard at once', kind: 'out', amount: '77.77', categoryId: '' });
    expect(added.status).toBe(303);
    const after = (await member.get(`${stack.baseUrl}/dashboard`)).body;
    expect(uncategorized(after) - uncategorized(first)).toBe(7_777);
    await finance.transactions.remove(MEMBER.sub, (await finance.transactions.list(MEMBER.sub, { from: todayOf(stack.clock), to: todayOf(stack.clock), search: 'Dashboard at once' }))[0]!.id);
    expect(uncategorized((await member.get(`${stack.baseUrl}/dashboard`)).body)).toBe(uncategorized(first));
  });
  it('shows each budget\'s share used and the savings rate as the month\'s figures give them', async () => {
    const today = todayOf(stack.clock);
    // As the dashboard asks: in the member's main currency, other currencies converted at each day's rate.
    const summary = await finance.coach.monthSummary(MEMBER.sub, today.slice(0, 7), today, 'USD', { main: 'USD' });
    const html = (await member.get(`${stack.baseUrl}/dashboard`)).body;
    const shown = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
    const budgeted = summary.categories.filter((c) => c.budgeted);
    expect(budgeted.length).toBeGreaterThan(3);
    for (const c of budgeted) expect(html).toContain(`aria-label="${c.name} used">${shown(c.percent)}</meter> <span class="small">${shown(c.percent)}</span>`);
    expect(html).toMatch(new RegExp(`<span class="label">Savings rate</span><span class="value">${shown(summary.savingsRate.value)}</span>`));
  });
});

describe('transactions', () => {
  it('adds a valid transaction and lists it in its month', async () => {
    const account = await memberAccount();
    const res = await post(member, '/transactions', { _csrf: csrf(), accountId: account.id, date: '2026-02-14', description: 'Flowers', kind: 'out', amount: '1,234.50', categoryId: '' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/transactions?month=2026-02');
    const list = await member.get(`${stack.baseUrl}/transactions?month=2026-02&q=flow`);
    expect(list.body).toContain('Flowers');
    expect(list.body).toContain('-$1,234.50');
    const stored = await finance.transactions.list(MEMBER.sub, { from: '2026-02-14', to: '2026-02-14', search: 'Flowers' });
    expect(stored[0]?.amountMinor).toBe(-123450);
  });

  it('refuses a bad form with a 400 that names each field, keeps what was typed, and writes nothing', async () => {
    const before = (await finance.transactions.list(MEMBER.sub, { from: '1900-01-01', to: '2999-12-31' })).length;
    const res = await post(member, '/transactions', { _csrf: csrf(), accountId: 'nope', date: '2026-02-30', description: 'Typed text stays', kind: 'sideways', amount: '12.345', categoryId: 'x' });
    expect(res.status).toBe(400);
    for (const msg of ['Choose one of your accounts.', 'Enter a real date as YYYY-MM-DD', 'Choose money out, money in or a transfer.', 'USD has 2 decimal places', 'Choose one of your categories.']) expect(res.body).toContain(msg);
    expect(res.body).toContain('value="Typed text stays"');
    expect(res.body).toContain('value="12.345"');
    expect((await finance.transactions.list(MEMBER.sub, { from: '1900-01-01', to: '2999-12-31' })).length).toBe(before);
  });

  it("refuses an add that names another member's account or category, an archived account of one's own, or another member's category in a split part, and writes nothing", async () => {
    const now = stack.clock.now();
    const theirAccount = await finance.accounts.create(ADMIN.sub, { name: 'Not yours', currency: 'USD' }, now);
    const theirCategory = await finance.categories.create(ADMIN.sub, 'Not yours either', 'want', now);
    const archived = await finance.accounts.create(MEMBER.sub, { name: 'Closed account', currency: 'USD' }, now);
    await finance.accounts.update(MEMBER.sub, archived, { name: 'Closed account', archived: true });
    const own = await memberAccount();
    const ownCategory = (await finance.categories.list(MEMBER.sub))[0]!;
    const count = async () => (await finance.transactions.list(MEMBER.sub, { from: '1900-01-01', to: '2999-12-31' })).length;
    const before = await count();
    const base = { _csrf: csrf(), date: '2026-02-10', description: 'Not allowed', kind: 'out', amount: '5.00' };
    const refused = async (form: Record<string, string>, message: string) => {
      const res = await post(member, '/transactions', { ...base, ...form });
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(res.body).toContain(message);
    };
    await refused({ accountId: theirAccount, categoryId: '' }, 'Choose one of your accounts.');
    await refused({ accountId: archived, categoryId: '' }, 'Choose one of your accounts.');
    await refused({ accountId: own.id, categoryId: theirCategory }, 'Choose one of your categories.');
    await refused({ accountId: own.id, kind: 'transfer', transferAccountId: theirAccount }, 'Choose');
    await refused({ accountId: own.id, categoryId: '', split0Category: ownCategory.id, split0Amount: '2.00', split1Category: theirCategory, split1Amount: '3.00' }, 'Choose one of your categories.');
    expect(await count()).toBe(before);
    // The same form with the member's own account and category is taken.
    const ok = await post(member, '/transactions', { ...base, accountId: own.id, categoryId: ownCategory.id, description: 'Allowed after all' });
    expect(ok.status).toBe(303);
    expect(await count()).toBe(before + 1);
  });

  it('refuses a repeated amount field (amount=1&amount=1000)', async () => {
    const account = await memberAccount();
    const body = `_csrf=${encodeURIComponent(csrf())}&accountId=${account.id}&date=2026-02-10&description=x&kind=out&amount=1&amount=1000`;
    const res = await member.request(`${stack.baseUrl}/transactions`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(400);
    expect(res.body).toContain('This field was sent more than once.');
  });

  it('edits and then deletes a transaction after a confirmation page', async () => {
    const account = await memberAccount();
    const id = await finance.transactions.create(MEMBER.sub, { accountId: account.id, date: '2026-03-03', description: 'Old name', amountMinor: -500, categoryId: null }, new Date());
    const edit = await member.get(`${stack.baseUrl}/transactions/${id}/edit`);
    expect(edit.body).toContain('value="Old name"');
    expect(edit.body).toContain('value="5.00"');
    await post(member, `/transactions/${id}`, { _csrf: csrf(), accountId: account.id, date: '2026-03-04', description: 'New name', kind: 'in', amount: '7', categoryId: '' });
    expect(await finance.transactions.find(MEMBER.sub, id)).toMatchObject({ description: 'New name', amountMinor: 700, date: '2026-03-04' });
    const confirm = await member.get(`${stack.baseUrl}/transactions/${id}/delete`);
    expect(confirm.body).toContain('Delete this transaction?');
    expect(await finance.transactions.find(MEMBER.sub, id)).toBeDefined();
    await post(member, `/transactions/${id}/delete`, { _csrf: csrf() });
    expect(await finance.transactions.find(MEMBER.sub, id)).toBeUndefined();
  });

  it("does not let another user read, change or delete a transaction by its id (404, nothing changed)", async () => {
    const account = await memberAccount();
    const id = await finance.transactions.create(MEMBER.sub, { accountId: account.id, date: '2026-03-05', description: 'Private', amountMinor: -999, categoryId: null }, new Date());
    const other = new TestBrowser();
    const otherPage = await signIn(other, stack, ADMIN);
    const token = csrfTokenOf(otherPage);
    expect((await other.request(`${stack.baseUrl}/transactions/${id}/edit`)).status).toBe(404);
    expect((await other.request(`${stack.baseUrl}/transactions/${id}/delete`)).status).toBe(404);
    expect((await post(other, `/transactions/${id}`, { _csrf: token, accountId: account.id, date: '2026-03-05', description: 'Hacked', kind: 'in', amount: '1', categoryId: '' })).status).toBe(404);
    expect((await post(other, `/transactions/${id}/delete`, { _csrf: token })).status).toBe(404);
    // Not even by naming the victim's account in a new transaction of their own.
    const own = await post(other, '/transactions', { _csrf: token, accountId: account.id, date: '2026-03-05', description: 'x', kind: 'out', amount: '1', categoryId: '' });
    expect(own.status).toBe(400);
    expect(await finance.transactions.find(MEMBER.sub, id)).toMatchObject({ description: 'Private', amountMinor: -999 });
  });
});

describe('budgets', () => {
  it('suggests amounts without saving them, and saves a month all at once', async () => {
    const suggest = await post(member, '/budgets/suggest', { _csrf: csrf(), month: '2026-06' });
    expect(suggest.status).toBe(200);
    expect(suggest.body).toContain('Filled in with the median');
    const groceries = (await finance.categories.list(MEMBER.sub)).find((c) => c.name === 'Groceries')!;
    const rent = (await finance.categories.list(MEMBER.sub)).find((c) => c.name === 'Rent')!;
    const bad = await post(member, '/budgets', { _csrf: csrf(), month: '2026-06', [`amount_${groceries.id}`]: '480', [`amount_${rent.id}`]: '-5' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('A budget cannot be negative.');
    expect((await finance.budgets.between(MEMBER.sub, 'USD', '2026-06', '2026-06')).find((b) => b.categoryId === groceries.id)?.amount).toBe(45000);
    const ok = await post(member, '/budgets', { _csrf: csrf(), month: '2026-06', [`amount_${groceries.id}`]: '480', [`amount_${rent.id}`]: '1,700' });
    expect(ok.status).toBe(303);
    const saved = await finance.budgets.between(MEMBER.sub, 'USD', '2026-06', '2026-06');
    expect(saved.find((b) => b.categoryId === groceries.id)?.amount).toBe(48000);
    expect(saved.find((b) => b.categoryId === rent.id)?.amount).toBe(170000);
  });
});

describe('GET /api/summary', () => {
  it('answers the month as JSON in minor units, against hand-computed figures', async () => {
    const sub = 'auth0|api-check';
    await finance.categories.ensureSeeded(sub, new Date());
    const cats = new Map((await finance.categories.list(sub)).map((c) => [c.name, c.id]));
    const acc = await finance.accounts.create(sub, { name: 'A', currency: 'USD' }, new Date());
    await finance.transactions.insertMany(
      sub,
      [
        { accountId: acc, date: '2025-05-01', description: 'pay', amountMinor: 400000, categoryId: cats.get('Salary')! },
        { accountId: acc, date: '2025-05-02', description: 'rent', amountMinor: -150000, categoryId: cats.get('Rent')! },
        { accountId: acc, date: '2025-05-09', description: 'food', amountMinor: -30000, categoryId: cats.get('Groceries')! },
        { accountId: acc, date: '2025-05-20', description: 'fun', amountMinor: -20000, categoryId: cats.get('Entertainment')! },
        { accountId: acc, date: '2025-06-01', description: 'next month', amountMinor: -99999, categoryId: cats.get('Rent')! },
      ],
      new Date(),
    );
    await finance.budgets.setMonth(sub, '2025-05', 'USD', [{ categoryId: cats.get('Groceries')!, amount: 40000 }]);
    const summary = await finance.coach.monthSummary(sub, '2025-05', '2026-11-29', 'USD');
    // income 4000.00; expenses 1500 + 300 + 200 = 2000.00; savings rate 0.5
    expect([summary.income, summary.expenses, summary.savingsRate.value]).toEqual([400000, 200000, 0.5]);
    expect(summary.categories.find((c) => c.name === 'Groceries')).toMatchObject({ spent: 30000, budget: 40000, available: 10000, percent: 0.75, level: 'ok' });
  });

  it('serves the signed-in user the documented shape; 400 names a malformed month; 401 when anonymous', async () => {
    const res = await member.request(`${stack.baseUrl}/api/summary?month=${todayOf(stack.clock).slice(0, 7)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = JSON.parse(res.body);
    expect(Object.keys(body).sort()).toEqual(['categories', 'converted', 'currency', 'expenses', 'income', 'month', 'savingsRate', 'uncategorized']);
    expect(body.currency).toBe('USD');
    // The demo's euro amounts come in converted at each day's rate (the demo has a rate every month).
    expect(body.converted).toEqual({ from: ['EUR'], unconverted: [] });
    expect(Number.isInteger(body.income) && Number.isInteger(body.expenses) && body.expenses >= 0).toBe(true);
    for (const c of body.categories) {
      expect(Object.keys(c).sort()).toEqual(['available', 'budget', 'carried', 'group', 'id', 'name', 'spent']);
      expect(c.spent).toBeGreaterThanOrEqual(0);
    }
    for (const bad of ['2026-13', '2026-1', 'november', '2026-11-01']) {
      const r = await member.request(`${stack.baseUrl}/api/summary?month=${bad}`);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).message).toContain('YYYY-MM');
    }
    const anon = await fetch(`${stack.baseUrl}/api/summary?month=2026-11`);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ status: 401 });
  });
});

describe('per-person limits', () => {
  it('refuses a 101st account and a 101st goal with a 400 that says why, and creates neither', async () => {
    const existing = (await finance.accounts.list(MEMBER.sub, { includeArchived: true })).length;
    for (let i = existing; i < 99; i++) await finance.accounts.create(MEMBER.sub, { name: `Spare ${i}`, currency: 'USD' }, stack.clock.now());
    expect((await post(member, '/accounts', { _csrf: csrf(), name: 'Hundredth', currency: 'USD' })).status).toBe(303);
    const refused = await post(member, '/accounts', { _csrf: csrf(), name: 'One too many', currency: 'USD' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('You have 100 accounts, the most there can be.');
    expect(await finance.accounts.list(MEMBER.sub, { includeArchived: true })).toHaveLength(100);

    const goals = (await finance.goals.list(MEMBER.sub)).length;
    for (let i = goals; i < 100; i++) await finance.goals.create(MEMBER.sub, { name: `Goal ${i}`, target: 1000, saved: 0, targetDate: '2030-01-01', currency: 'USD' }, stack.clock.now());
    const goal = await post(member, '/goals', { _csrf: csrf(), name: 'One more', target: '10', saved: '', targetDate: '2030-01-01' });
    expect(goal.status).toBe(400);
    expect(goal.body).toContain('You have 100 goals, the most there can be.');
    expect(await finance.goals.list(MEMBER.sub)).toHaveLength(100);
  });
});

describe('the member loaded for every finance page', () => {
  it('seeds the starting categories on the next finance page of a member who has none, once', async () => {
    const users = createUsersRepository(stack.database.db);
    const admin = new TestBrowser();
    await signIn(admin, stack, ADMIN);
    expect((await users.findMember(ADMIN.sub))?.hasCategories).toBe(true);
    await run(stack.database, 'DELETE FROM budgets WHERE user_sub = ?', ADMIN.sub);
    await run(stack.database, 'DELETE FROM categories WHERE user_sub = ?', ADMIN.sub);
    expect(await users.findMember(ADMIN.sub)).toMatchObject({ record: { sub: ADMIN.sub }, hasCategories: false });
    expect((await admin.get(`${stack.baseUrl}/budgets`)).status).toBe(200);
    const seeded = (await finance.categories.list(ADMIN.sub)).map((c) => c.name).sort();
    expect(seeded).toEqual(expect.arrayContaining(['Groceries', 'Rent', 'Salary']));
    expect((await users.findMember(ADMIN.sub))?.hasCategories).toBe(true);
    expect((await admin.get(`${stack.baseUrl}/transactions`)).status).toBe(200);
    expect((await finance.categories.list(ADMIN.sub)).map((c) => c.name).sort()).toEqual(seeded);
    expect(await users.findMember('auth0|nobody')).toBeUndefined();
  });
});
