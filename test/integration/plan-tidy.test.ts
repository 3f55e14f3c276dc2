import { describe, expect, it } from 'vitest';
import { useMemberStack } from '../helpers/stack.js';

/** The member signed in once; the stack's clock says 2026-11-18. */
const ctx = useMemberStack();
const { post, get } = ctx;
const SUB = 'auth0|demo-member';
const flashOf = async (path: string) => /class="flash[^"]*" role="(?:status|alert)">([^<]*)</.exec((await get(path)).body)?.[1];
const category = async (name: string) => (await ctx.finance.categories.list(SUB)).find((c) => c.name === name)!;

describe('planning the month', () => {
  it('moves between months, copies last month into the form without saving, and saves staying on the budgets page', async () => {
    const groceries = await category('Groceries');
    const rent = await category('Rent');
    await ctx.finance.budgets.setMonth(SUB, '2026-10', 'USD', [{ categoryId: groceries.id, amount: 40_000 }, { categoryId: rent.id, amount: 150_000 }]);
    const page = await get('/budgets?month=2026-11');
    expect(page.body).toContain('<h2>Nov 2026</h2>');
    expect(page.body).toContain('href="/budgets?month=2026-10" rel="prev" aria-label="Previous month, Oct 2026"');
    expect(page.body).toContain('href="/budgets?month=2026-12" rel="next"');

    const copied = await post('/budgets/copy', { month: '2026-11', currency: 'USD' });
    expect(copied.body).toContain("Filled in with Oct 2026's budgets");
    expect(copied.body).toMatch(new RegExp(`name="amount_${groceries.id}" inputmode="decimal" value="400.00"`));
    expect(await ctx.finance.budgets.between(SUB, 'USD', '2026-11', '2026-11')).toEqual([]);

    const saved = await post('/budgets', { month: '2026-11', currency: 'USD', [`amount_${groceries.id}`]: '400.00', [`amount_${rent.id}`]: '1500' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/budgets?month=2026-11');
    const after = await get('/budgets?month=2026-11');
    expect(/class="flash[^"]*" role="status">([^<]*)</.exec(after.body)?.[1]).toBe('Saved the budgets for Nov 2026.');
    // The totals row is the sum of the rows; to assign is the month's income less the budgets.
    expect(after.body).toMatch(/<th scope="row">Total<\/th>[\s\S]*?data-label="Budget">\$1,900.00<\/td>/);
    const summary = await ctx.finance.coach.monthSummary(SUB, '2026-11', '2026-11-18', 'USD', { main: 'USD' });
    const fmt = (n: number) => `$${(Math.abs(n) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
    expect(after.body).toContain(`<dd class="value">${fmt(summary.income)}</dd>`);
    expect(after.body).toContain(fmt(summary.income - 190_000));
  });
});

describe('goals', () => {
  it('edits and deletes a goal, takes contributions, and shares saving out so no saving counts twice', async () => {
    expect((await post('/goals', { name: 'Bike', target: '1000', saved: '100', targetDate: '2027-10-31' })).status).toBe(303);
    expect(await flashOf('/goals')).toBe('Added the goal Bike.');
    const bike = (await ctx.finance.goals.list(SUB)).find((g) => g.name === 'Bike')!;
    expect((await post(`/goals/${bike.id}/contributions`, { amount: '50' })).status).toBe(303);
    expect(await flashOf('/goals')).toBe('Added $50.00 to Bike.');
    const bad = await post(`/goals/${bike.id}/contributions`, { amount: 'lots' });
    expect(bad.status).toBe(400);
    expect((await ctx.finance.goals.find(SUB, bike.id))!.saved).toBe(15_000);

    const edit = await get(`/goals/${bike.id}/edit`);
    expect(edit.body).toContain('value="150.00"');
    expect(edit.body).toContain('2026-11-18: $50.00');
    expect((await post(`/goals/${bike.id}`, { name: 'Road bike', target: '1200', saved: '200', targetDate: '2027-12-31' })).status).toBe(303);
    expect((await ctx.finance.goals.find(SUB, bike.id))).toMatchObject({ name: 'Road bike', target: 120_000, saved: 20_000 });
    expect((await post(`/goals/${bike.id}`, { name: '', target: '0', saved: '-1', targetDate: '2020-01-01' })).status).toBe(400);

    // Pacing: every goal's share together is never more than the saving there was.
    const goals = await ctx.finance.goals.list(SUB);
    const recent = await ctx.finance.coach.recentMonthlySaving(SUB, '2026-11', ['USD']);
    const { paceGoals } = await import('../../src/features/coach/formulas.js');
    const paced = paceGoals(goals.filter((g) => g.currency === 'USD'), '2026-11', recent);
    expect(paced.reduce((n, g) => n + g.pace.allocated, 0)).toBeLessThanOrEqual(Math.max(0, recent.get('USD') ?? 0));

    expect((await post(`/goals/${bike.id}/delete`, {})).status).toBe(400);
    expect((await post(`/goals/${bike.id}/delete`, { confirm: 'yes' })).status).toBe(303);
    expect(await ctx.finance.goals.find(SUB, bike.id)).toBeUndefined();
  });
});

describe('tidying categories and accounts', () => {
  it('hides a category from the pickers, and deleting one moves its transactions and budgets where the person says', async () => {
    await post('/categories', { name: 'Coffee', group: 'want' });
    await post('/categories', { name: 'Cafes', group: 'want' });
    const coffee = await category('Coffee');
    const cafes = await category('Cafes');
    const acct = await ctx.finance.accounts.create(SUB, { name: 'Tidy', currency: 'USD' }, new Date());
    await ctx.finance.transactions.create(SUB, { accountId: acct, date: '2026-07-02', description: 'Beans', amountMinor: -1_200, categoryId: coffee.id }, new Date());
    await ctx.finance.budgets.setMonth(SUB, '2026-07', 'USD', [{ categoryId: coffee.id, amount: 3_000 }, { categoryId: cafes.id, amount: 2_000 }]);

    await post(`/categories/${coffee.id}/hidden`, { hidden: 'yes' });
    expect(await flashOf('/categories')).toBe('Coffee is hidden from the pickers; its history stays.');
    const form = await get('/transactions?month=2026-07');
    const picker = form.body.slice(form.body.indexOf('id="categoryId"'), form.body.indexOf('</select>', form.body.indexOf('id="categoryId"')));
    expect(picker).toContain('Cafes');
    expect(picker).not.toContain('Coffee');

    const ask = await get(`/categories/${coffee.id}/delete`);
    expect(ask.body).toContain('Coffee has 1 transaction (split parts included), 1 monthly budget');
    expect((await post(`/categories/${coffee.id}/delete`, {})).status).toBe(400);
    expect((await post(`/categories/${coffee.id}/delete`, { into: cafes.id })).status).toBe(303);
    const rows = await ctx.finance.transactions.list(SUB, { from: '2026-07-01', to: '2026-07-31' });
    expect(rows.find((r) => r.description === 'Beans')?.categoryId).toBe(cafes.id);
    expect((await ctx.finance.budgets.between(SUB, 'USD', '2026-07', '2026-07')).find((b) => b.categoryId === cafes.id)?.amount).toBe(5_000);
    const totals = await ctx.finance.transactions.monthlyTotals(SUB, 'USD', '2026-07', '2026-07');
    expect(totals.find((t) => t.categoryId === coffee.id)).toBeUndefined();
    expect(totals.find((t) => t.categoryId === cafes.id)?.total).toBe(rows.filter((r) => r.categoryId === cafes.id).reduce((n, r) => n + r.amountMinor, 0));
  });

  it('refuses a second account of the same name, and deletes an account moving its transactions or deleting them', async () => {
    expect((await post('/accounts', { name: 'Holiday fund', currency: 'USD', type: 'savings' })).status).toBe(303);
    const dup = await post('/accounts', { name: 'holiday  FUND', currency: 'USD', type: 'savings' });
    expect(dup.status).toBe(400);
    expect(dup.body).toContain('You already have an account with that name.');
    const all = await ctx.finance.accounts.list(SUB, { includeArchived: true });
    const fund = all.find((a) => a.name === 'Holiday fund')!.id;
    const main = await ctx.finance.accounts.create(SUB, { name: 'Everyday', currency: 'USD' }, new Date());
    const other = await ctx.finance.accounts.create(SUB, { name: 'Spare', currency: 'USD' }, new Date());
    await ctx.finance.transactions.create(SUB, { accountId: fund, date: '2026-06-01', description: 'Deposit', amountMinor: 5_000, categoryId: null }, new Date());
    await ctx.finance.transactions.create(SUB, { accountId: main, date: '2026-06-02', description: 'To fund', amountMinor: -1_000, categoryId: null, transfer: { accountId: fund, amountMinor: 1_000 } }, new Date());
    await ctx.finance.transactions.create(SUB, { accountId: other, date: '2026-06-03', description: 'Spare to fund', amountMinor: -700, categoryId: null, transfer: { accountId: fund, amountMinor: 700 } }, new Date());

    expect((await get(`/accounts/${fund}/delete`)).body).toContain('Holiday fund has 3 transactions');
    expect((await post(`/accounts/${fund}/delete`, {})).status).toBe(400);
    // Moving into Everyday: the transfer between the two goes; the one from Spare stays a transfer.
    expect((await post(`/accounts/${fund}/delete`, { into: main })).status).toBe(303);
    expect(await ctx.finance.accounts.find(SUB, fund)).toBeUndefined();
    const inMain = (await ctx.finance.transactions.list(SUB, { from: '2026-06-01', to: '2026-06-30' })).filter((r) => r.accountId === main);
    expect(inMain.map((r) => [r.description, r.amountMinor, r.transfer?.accountId ?? null]).sort()).toEqual([['Deposit', 5_000, null], ['Spare to fund', 700, other]].sort());

    // Deleting with its transactions: the other side in Spare stays, as an ordinary row.
    expect((await post(`/accounts/${main}/delete`, { into: 'delete' })).status).toBe(303);
    const inSpare = (await ctx.finance.transactions.list(SUB, { from: '2026-06-01', to: '2026-06-30' })).filter((r) => r.accountId === other);
    expect(inSpare.map((r) => [r.amountMinor, r.transfer])).toEqual([[-700, null]]);
  });
});
