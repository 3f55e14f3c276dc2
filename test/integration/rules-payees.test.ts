import { describe, expect, it } from 'vitest';
import { useMemberStack } from '../helpers/stack.js';

/** The member signed in once; the stack's clock says 2026-11-18. */
const ctx = useMemberStack();
const { post, get, api } = ctx;
const SUB = 'auth0|demo-member';

async function category(name: string) {
  await ctx.finance.categories.ensureSeeded(SUB, new Date());
  return (await ctx.finance.categories.list(SUB)).find((c) => c.name === name)!.id;
}
const rowsOf = async (accountId: string) => (await ctx.finance.transactions.list(SUB, { from: '2026-01-01', to: '2026-12-31' })).filter((t) => t.accountId === accountId);

describe('rules', () => {
  it('#51 match payee or memo with contains, is and starts with, amount ranges and one account, first match wins; apply previews before changing anything', async () => {
    const acct = await ctx.finance.accounts.create(SUB, { name: 'Rules acct', currency: 'USD' }, new Date());
    const [groceries, dining, shopping] = [await category('Groceries'), await category('Dining out'), await category('Shopping')];
    const tx = (description: string, amountMinor: number, memo: string | null = null) => ctx.finance.transactions.create(SUB, { accountId: acct, date: '2026-10-10', description, amountMinor, categoryId: null, memo }, new Date());
    await tx('SQ *FRESHMART 0412', -2_000);
    await tx('SQ *FRESHMART 0412', -20_000); // above the range: left for the next rule
    await tx('Noodle Bar', -1_500, 'lunch with Sam');
    await tx('Bookshop', -3_000);

    const bad = await post('/rules', { field: 'payee', op: 'sometimes', matchText: 'x', minAmount: '50', maxAmount: '10', accountId: '', categoryId: 'nope' });
    expect(bad.status).toBe(400);
    for (const msg of ['Choose contains, is or starts with.', 'Enter 2 to 100 characters to match.', 'The largest amount must be at least the smallest.', 'Choose the category the rule sets.']) expect(bad.body).toContain(msg);
    expect(await ctx.finance.rules.list(SUB)).toEqual([]);

    expect((await post('/rules', { field: 'payee', op: 'starts_with', matchText: 'sq *freshmart', minAmount: '', maxAmount: '100.00', accountId: acct, categoryId: groceries, renameTo: 'FreshMart' })).status).toBe(303);
    expect((await post('/rules', { field: 'payee', op: 'contains', matchText: 'freshmart', minAmount: '', maxAmount: '', accountId: '', categoryId: shopping, renameTo: '' })).status).toBe(303);
    expect((await post('/rules', { field: 'memo', op: 'contains', matchText: 'lunch', minAmount: '', maxAmount: '', accountId: '', categoryId: dining, renameTo: '' })).status).toBe(303);
    expect((await post('/rules', { field: 'payee', op: 'equals', matchText: 'bookshop', minAmount: '', maxAmount: '', accountId: '', categoryId: shopping, renameTo: '' })).status).toBe(303);

    const preview = await get('/rules/apply');
    expect(preview.body).toContain('<strong>4</strong> transactions would change. Nothing has changed yet.');
    expect(preview.body).toContain('SQ *FRESHMART 0412 → <strong>FreshMart</strong>');
    expect((await rowsOf(acct)).every((t) => t.categoryId === null)).toBe(true);

    // A rule changed after the preview: the old preview is refused, nothing applied.
    const fingerprint = /name="fingerprint" value="([^"]+)"/.exec(preview.body)![1]!;
    const rules = await ctx.finance.rules.list(SUB);
    expect((await post(`/rules/${rules[3]!.id}/move`, { direction: 'up' })).status).toBe(303);
    expect((await ctx.finance.rules.list(SUB)).map((r) => r.matchText)).toEqual(['sq *freshmart', 'freshmart', 'bookshop', 'lunch']);
    expect((await post(`/rules/${rules[1]!.id}`, { field: 'payee', op: 'contains', matchText: 'freshmart', minAmount: '', maxAmount: '', accountId: '', categoryId: dining, renameTo: '' })).status).toBe(303);
    expect((await post('/rules/apply', { fingerprint })).status).toBe(409);
    expect((await rowsOf(acct)).every((t) => t.categoryId === null)).toBe(true);

    const again = /name="fingerprint" value="([^"]+)"/.exec((await get('/rules/apply')).body)![1]!;
    const done = await post('/rules/apply', { fingerprint: again });
    expect(done.headers.get('location')).toBe('/rules');
    expect((await get('/rules')).body).toContain('Rules applied: 4 transactions changed.');
    const byAmount = new Map((await rowsOf(acct)).map((t) => [t.amountMinor, t]));
    expect(byAmount.get(-2_000)).toMatchObject({ description: 'FreshMart', categoryId: groceries });
    expect(byAmount.get(-20_000)).toMatchObject({ description: 'SQ *FRESHMART 0412', categoryId: dining });
    expect(byAmount.get(-1_500)!.categoryId).toBe(dining);
    expect(byAmount.get(-3_000)!.categoryId).toBe(shopping);
    // The stored totals follow: the summary counts the new categories.
    const summary = JSON.parse((await ctx.browser.request(`${ctx.stack.baseUrl}/api/summary?month=2026-10`, { headers: { accept: 'application/json' } })).body) as { categories: Array<{ id: string; spent: number }> };
    expect(summary.categories.find((c) => c.id === groceries)!.spent).toBeGreaterThanOrEqual(2_000);
    expect((await get('/rules/apply')).body).toContain('Your rules change nothing');
  });

  it("#50 answers 404 for another user's rule and changes nothing", async () => {
    const theirCategory = (await ctx.finance.categories.list(SUB))[0]!.id;
    const id = await ctx.finance.rules.create('auth0|someone', { field: 'payee', op: 'contains', matchText: 'theirs', minAmount: null, maxAmount: null, accountId: null, categoryId: theirCategory, renameTo: null }, new Date());
    expect((await get(`/rules/${id}/edit`)).status).toBe(404);
    expect((await post(`/rules/${id}`, { field: 'payee', op: 'contains', matchText: 'mine', categoryId: theirCategory })).status).toBe(404);
    expect((await post(`/rules/${id}/move`, { direction: 'up' })).status).toBe(404);
    expect((await post(`/rules/${id}/delete`, {})).status).toBe(404);
    expect((await ctx.finance.rules.find('auth0|someone', id))!.matchText).toBe('theirs');
  });
});

describe('payees', () => {
  it('renames one payee and merges several, across their transactions and schedules, and leaves other users alone', async () => {
    const acct = await ctx.finance.accounts.create(SUB, { name: 'Payee acct', currency: 'USD' }, new Date());
    for (const d of ['AMZN Mktp US', 'Amazon.com', 'AMAZON MARKETPLACE', 'Corner shop']) await ctx.finance.transactions.create(SUB, { accountId: acct, date: '2026-10-12', description: d, amountMinor: -1_000, categoryId: null }, new Date());
    const other = await ctx.finance.accounts.create('auth0|payee-other', { name: 'x', currency: 'USD' }, new Date());
    await ctx.finance.transactions.create('auth0|payee-other', { accountId: other, date: '2026-10-12', description: 'Amazon.com', amountMinor: -1, categoryId: null }, new Date());
    const list = await get('/payees?q=ama');
    expect(list.body).toContain('Amazon.com');
    expect(list.body).not.toContain('Corner shop');

    const merged = await post('/payees/rename', { from: ['AMZN Mktp US', 'Amazon.com', 'AMAZON MARKETPLACE'], to: '  Amazon  ' });
    expect((await get(merged.headers.get('location')!)).body).toContain('3 transactions now carry the name Amazon.');
    expect((await rowsOf(acct)).map((t) => t.description).sort()).toEqual(['Amazon', 'Amazon', 'Amazon', 'Corner shop']);
    expect((await ctx.finance.transactions.list('auth0|payee-other', { from: '2026-01-01', to: '2026-12-31' }))[0]!.description).toBe('Amazon.com');
    expect((await post('/payees/rename', { from: 'Corner shop', to: '' })).status).toBe(400);
    expect((await post('/payees/rename', { to: 'X' })).status).toBe(400);
  });
});
