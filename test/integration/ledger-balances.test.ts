import { describe, expect, it } from 'vitest';
import { ADMIN } from '../helpers/flows.js';
import { useMemberStack } from '../helpers/stack.js';

/** The member signed in once; the stack's clock says 2026-11-18. */
const ctx = useMemberStack();
const { post, get } = ctx;
const SUB = 'auth0|demo-member';

const json = async (path: string) => {
  const res = await ctx.browser.request(`${ctx.stack.baseUrl}${path}`, { headers: { accept: 'application/json' } });
  return { status: res.status, body: JSON.parse(res.body) as unknown };
};
const byName = async (name: string) => (await ctx.finance.accounts.list(SUB, { includeArchived: true })).find((a) => a.name === name)!;
const tx = (accountId: string, date: string, amountMinor: number, cleared: 'uncleared' | 'cleared' = 'uncleared') =>
  ctx.finance.transactions.create(SUB, { accountId, date, description: `Row ${date} ${amountMinor}`, amountMinor, categoryId: null, cleared }, new Date());

describe('accounts with balances', () => {
  it('adds accounts with a type and opening balance, and shows balances, cleared balances and net worth that add up', async () => {
    expect((await post('/accounts', { name: 'Everyday', currency: 'USD', type: 'checking', openingBalance: '1,000.00', openingDate: '2026-11-01' })).status).toBe(303);
    expect((await post('/accounts', { name: 'Visa', currency: 'USD', type: 'credit_card', openingBalance: '-200.00', openingDate: '' })).status).toBe(303);
    const everyday = await byName('Everyday');
    const visa = await byName('Visa');
    expect(everyday).toMatchObject({ type: 'checking', openingBalance: 100_000, openingDate: '2026-11-01' });
    await tx(everyday.id, '2026-11-02', 250_000, 'cleared');
    await tx(everyday.id, '2026-11-10', -4_250, 'cleared');
    await tx(everyday.id, '2026-11-12', -1_000);
    await tx(everyday.id, '2026-12-05', -99_999); // after today: not in today's balance
    await tx(visa.id, '2026-11-03', -3_000, 'cleared');

    const api = (await json('/api/accounts')).body as Array<Record<string, unknown>>;
    expect(api.find((a) => a.id === everyday.id)).toEqual({ id: everyday.id, name: 'Everyday', type: 'checking', currency: 'USD', balance: 344_750, clearedBalance: 345_750, archived: false });
    expect(api.find((a) => a.id === visa.id)).toMatchObject({ type: 'credit_card', balance: -23_000, clearedBalance: -23_000 });

    const page = await get('/accounts');
    expect(page.status).toBe(200);
    expect(page.body).toContain('$3,447.50');
    expect(page.body).toContain('$230.00'); // what the card owes, as a liability
    expect(page.body).toContain('$3,217.50'); // net worth = 3,447.50 - 230.00
    expect(page.body).toContain('Net worth, last 12 months');

    const history = (await json('/api/networth?months=3')).body as { currency: string; months: Array<{ month: string; assets: number; liabilities: number; net: number }> };
    expect(history.currency).toBe('USD');
    expect(history.months.map((m) => m.month)).toEqual(['2026-09', '2026-10', '2026-11']);
    for (const m of history.months) expect(m.net).toBe(m.assets - m.liabilities);
    expect(history.months.at(-1)).toEqual({ month: '2026-11', assets: 344_750, liabilities: 23_000, net: 321_750 });
    // Before the opening date only the card (no opening date) counts.
    expect(history.months[1]).toEqual({ month: '2026-10', assets: 0, liabilities: 20_000, net: -20_000 });
  });

  it('refuses a bad type, opening balance or date with a 400 that says which', async () => {
    const res = await post('/accounts', { name: 'Odd', currency: 'USD', type: 'crypto-vault', openingBalance: '12,34,5', openingDate: '2026-02-30' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('Choose a type from the list.');
    expect(res.body).toContain('is not an amount');
    expect(res.body).toContain('Enter a real date as YYYY-MM-DD');
    expect(await byName('Odd')).toBeUndefined();
    for (const q of ['months=0', 'months=61', 'months=x', 'currency=XYZ']) expect((await json(`/api/networth?${q}`)).status, q).toBe(400);
  });
});

describe('reconcile', () => {
  it('shows the difference, lets the missing rows be marked cleared, and marks the cleared ones up to the date reconciled at zero', async () => {
    const res = await post('/accounts', { name: 'Recon', currency: 'USD', type: 'savings', openingBalance: '100.00', openingDate: '2026-10-01' });
    expect(res.status).toBe(303);
    const acct = await byName('Recon');
    const a = await tx(acct.id, '2026-10-05', 5_000, 'cleared');
    const b = await tx(acct.id, '2026-10-20', -1_500);
    const later = await tx(acct.id, '2026-11-02', 700, 'cleared');

    const compare = await get(`/accounts/${acct.id}/reconcile?date=2026-10-31&balance=135.00`);
    expect(compare.status).toBe(200);
    expect(compare.body).toContain('$150.00'); // cleared here: 100 + 50
    expect(compare.body).toMatch(/Difference<\/dt><dd class="num"><strong class="negative">-\$15\.00/);
    expect(compare.body).toContain('Row 2026-10-20 -1500');

    // Finishing while the difference is not zero changes nothing.
    const early = await post(`/accounts/${acct.id}/reconcile`, { date: '2026-10-31', balance: '135.00' });
    expect(early.status).toBe(409);
    expect((await ctx.finance.transactions.find(SUB, a))!.cleared).toBe('cleared');

    const returnTo = `/accounts/${acct.id}/reconcile?date=2026-10-31&balance=135.00`;
    const marked = await post(`/transactions/${b}/cleared`, { cleared: 'cleared', returnTo });
    expect(marked.status).toBe(303);
    expect(marked.headers.get('location')).toBe(returnTo);
    const matching = await get(returnTo);
    expect(matching.body).toContain('matches the statement');

    const done = await post(`/accounts/${acct.id}/reconcile`, { date: '2026-10-31', balance: '135.00' });
    expect(done.headers.get('location')).toBe('/accounts');
    expect((await get('/accounts')).body).toMatch(/Reconciled [^:]+: 2 transactions marked as matching the statement./);
    expect((await ctx.finance.transactions.find(SUB, a))!.cleared).toBe('reconciled');
    expect((await ctx.finance.transactions.find(SUB, b))!.cleared).toBe('reconciled');
    expect((await ctx.finance.transactions.find(SUB, later))!.cleared).toBe('cleared');
    expect((await get(`/accounts/${acct.id}/reconcile`)).body).toContain('Last reconciled: 2026-10-31 at $135.00');
  });

  it('asks before a reconciled transaction is edited or deleted, and keeps it unchanged until confirmed', async () => {
    const acct = await byName('Recon');
    const [row] = (await ctx.finance.transactions.list(SUB, { from: '2026-10-05', to: '2026-10-05' })).filter((t) => t.accountId === acct.id);
    expect(row!.cleared).toBe('reconciled');
    const form = { accountId: acct.id, date: '2026-10-05', description: 'Interest', memo: '', amount: '51.00', kind: 'in', categoryId: '', cleared: 'on' };
    const asked = await post(`/transactions/${row!.id}`, form);
    expect(asked.status).toBe(409);
    expect(asked.body).toContain('This transaction is reconciled');
    expect(asked.body).toContain('value="51.00"');
    expect((await ctx.finance.transactions.find(SUB, row!.id))!.amountMinor).toBe(5_000);
    expect((await post(`/transactions/${row!.id}/cleared`, { cleared: 'uncleared' })).status).toBe(409);
    expect((await post(`/transactions/${row!.id}/delete`, {})).status).toBe(409);
    expect(await ctx.finance.transactions.find(SUB, row!.id)).toBeDefined();

    expect((await post(`/transactions/${row!.id}`, { ...form, confirmReconciled: 'yes' })).status).toBe(303);
    // Its amount changed, so it no longer matches the statement: cleared, not reconciled.
    expect(await ctx.finance.transactions.find(SUB, row!.id)).toMatchObject({ amountMinor: 5_100, cleared: 'cleared', description: 'Interest' });
  });

  it('refuses a statement date after today or a malformed balance', async () => {
    const acct = await byName('Recon');
    const res = await get(`/accounts/${acct.id}/reconcile?date=2026-12-31&balance=abc`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('cannot be after today');
    expect(res.body).toContain('is not an amount');
  });
});

describe("another person's ids", () => {
  it('answer 404 and change nothing: reconcile, mark cleared, edit account', async () => {
    const theirs = await ctx.finance.accounts.create(ADMIN.sub, { name: 'Admin savings', currency: 'USD', type: 'savings', openingBalance: 5_000, openingDate: null }, new Date());
    const theirTx = await ctx.finance.transactions.create(ADMIN.sub, { accountId: theirs, date: '2026-11-01', description: 'Theirs', amountMinor: 100, categoryId: null, cleared: 'cleared' }, new Date());
    expect((await get(`/accounts/${theirs}/reconcile?date=2026-11-10&balance=51.00`)).status).toBe(404);
    expect((await post(`/accounts/${theirs}/reconcile`, { date: '2026-11-10', balance: '51.00' })).status).toBe(404);
    expect((await post(`/transactions/${theirTx}/cleared`, { cleared: 'uncleared' })).status).toBe(404);
    expect((await post(`/accounts/${theirs}`, { name: 'Mine now', type: 'loan', openingBalance: '0' })).status).toBe(404);
    expect(await ctx.finance.accounts.find(ADMIN.sub, theirs)).toMatchObject({ name: 'Admin savings', type: 'savings', openingBalance: 5_000 });
    expect(await ctx.finance.transactions.find(ADMIN.sub, theirTx)).toMatchObject({ cleared: 'cleared' });
    expect(((await json('/api/accounts')).body as Array<{ id: string }>).some((a) => a.id === theirs)).toBe(false);
  });
});

describe('GET /api/transactions', () => {
  it('pages through every row newest first with a stable cursor: no row skipped or repeated, at most limit per page', async () => {
    const acct = await ctx.finance.accounts.create(SUB, { name: 'Paged', currency: 'JPY' }, new Date());
    // 250 rows on only five dates, so the cursor must order within a day too.
    const rows = Array.from({ length: 250 }, (_, i) => ({ accountId: acct, date: `2025-03-0${(i % 5) + 1}`, description: `Paged ${i}`, amountMinor: -(i + 1), categoryId: null }));
    await ctx.finance.transactions.insertMany(SUB, rows, new Date());
    const seen: Array<{ id: string; date: string; amount: number; currency: string; account: string; transfer: unknown; splits: unknown[] }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await json(`/api/transactions?account=${acct}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = res.body as { items: typeof seen; next: string | null };
      expect(body.items.length).toBeLessThanOrEqual(100);
      seen.push(...body.items);
      cursor = body.next;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen.map((t) => t.id)).size).toBe(250);
    expect(seen.map((t) => t.date)).toEqual([...seen.map((t) => t.date)].sort().reverse());
    expect(seen[0]).toMatchObject({ currency: 'JPY', account: acct, transfer: null, splits: [] });
    expect(seen.reduce((s, t) => s + t.amount, 0)).toBe(-((250 * 251) / 2));
  });

  it('filters by dates, text and category, and refuses bad parameters and other people\'s ids with a 400', async () => {
    const acct = await byName('Paged');
    const day = (await json(`/api/transactions?account=${acct.id}&from=2025-03-02&to=2025-03-02&limit=500`)).body as { items: Array<{ date: string }>; next: null };
    expect(day.items).toHaveLength(50);
    expect(day.items.every((t) => t.date === '2025-03-02')).toBe(true);
    expect(day.next).toBeNull();
    const text = (await json(`/api/transactions?account=${acct.id}&q=paged%2012&limit=500`)).body as { items: Array<{ payee: string }> };
    expect(text.items.map((t) => t.payee).sort()).toEqual(['Paged 12', 'Paged 120', 'Paged 121', 'Paged 122', 'Paged 123', 'Paged 124', 'Paged 125', 'Paged 126', 'Paged 127', 'Paged 128', 'Paged 129'].sort());
    const none = (await json(`/api/transactions?account=${acct.id}&category=none&limit=1`)).body as { items: unknown[]; next: string | null };
    expect(none.items).toHaveLength(1);
    expect(none.next).not.toBeNull();

    const theirs = await ctx.finance.accounts.create(ADMIN.sub, { name: 'Theirs', currency: 'USD' }, new Date());
    for (const q of ['limit=0', 'limit=501', 'from=2025-13-01', 'from=2025-03-05&to=2025-03-01', 'cursor=bm9wZQ', `account=${theirs}`, 'category=x', 'limit=1&limit=2']) {
      const res = await json(`/api/transactions?${q}`);
      expect(res.status, q).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('Theirs');
    }
    const anonymous = await fetch(`${ctx.stack.baseUrl}/api/transactions`, { headers: { accept: 'application/json' } });
    expect(anonymous.status).toBe(401);
  });
});
