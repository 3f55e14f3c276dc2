import { describe, expect, it } from 'vitest';
import { useMemberStack } from '../helpers/stack.js';

/** The member (main currency USD) signed in once; the stack's clock says 2026-11-18. */
const ctx = useMemberStack();
const { post, get } = ctx;
const SUB = 'auth0|demo-member';

async function upload(csv: string) {
  const form = new FormData();
  form.append('_csrf', ctx.token);
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'rates.csv');
  return ctx.browser.request(`${ctx.stack.baseUrl}/rates/import`, { method: 'POST', body: form });
}

describe('exchange rates', () => {
  it('are entered and imported into the main currency, and the accounts page converts net worth with them, listing what has no rate', async () => {
    await ctx.finance.accounts.create(SUB, { name: 'Pounds', currency: 'GBP', openingBalance: 10_000, openingDate: '2026-01-01' }, new Date());
    await ctx.finance.accounts.create(SUB, { name: 'Yen', currency: 'JPY', openingBalance: 100_000, openingDate: '2026-01-01' }, new Date());
    const before = await get('/accounts');
    expect(before.body).toContain('Net worth of all accounts, in USD');
    expect(before.body).toMatch(/Not in this total, as there is no rate for them yet: .*Pounds \(GBP\).*Yen \(JPY\)/);

    const bad = await post('/rates', { date: '2026-11-31', currency: 'USD', rate: '1,27' });
    expect(bad.status).toBe(400);
    for (const msg of ['Enter a real date', 'USD is your main currency', 'is not a rate']) expect(bad.body).toContain(msg);
    expect(await ctx.finance.rates.count(SUB)).toBe(0);

    expect((await post('/rates', { date: '2026-11-01', currency: 'gbp', rate: '1.27' })).status).toBe(303);
    // One bad line: nothing of the file is taken.
    const refused = await upload('date,currency,rate\n2026-10-01,JPY,0.0067\n2026-10-02,JPY,zero\n');
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Line 3: &#34;zero&#34; is not a rate');
    expect(await ctx.finance.rates.count(SUB)).toBe(1);
    const imported = await upload('date,currency,rate\n2026-10-01,JPY,0.0067\n2026-12-01,JPY,0.0070\n');
    expect(imported.headers.get('location')).toBe('/rates');
    expect((await get('/rates')).body).toContain('2 rates saved.');
    const page = await get('/rates');
    expect(page.body).toContain('1 JPY = 0.007 USD');

    const after = await get('/accounts');
    // £100.00 at 1.27 = $127.00; ¥100,000 at 0.0067 (the December rate is not in force yet) = $670.00.
    expect(after.body).toContain('Pounds £100.00 = $127.00 (at 1.27)');
    expect(after.body).toContain('Yen ¥100,000 = $670.00 (at 0.0067)');
    expect(after.body).not.toContain('Not in this total');
    expect(after.body).toContain('each month converted at the rates in force on its last day');
    // The API's history converts too: this month with every rate, September without the pound's.
    const history = await ctx.api<{ converted?: boolean; months: Array<{ month: string; net: number; assets: number; liabilities: number; unconverted?: string[] }> }>('/api/networth?months=3');
    expect(history.converted).toBe(true);
    expect(history.months.at(-1)!.unconverted).toBeUndefined();
    expect(history.months[0]!.unconverted?.length).toBe(2); // neither the pound nor the yen had a rate on Sep 30
    for (const m of history.months) expect(m.net).toBe(m.assets - m.liabilities);

    expect((await post('/rates/delete', { currency: 'JPY', date: '2026-10-01' })).status).toBe(303);
    expect((await post('/rates/delete', { currency: 'JPY', date: '2026-10-01' })).status).toBe(404);
    expect(await ctx.finance.rates.count(SUB)).toBe(2);
  });

  it('convert the summary into the main currency at each day’s rate, listing what has no rate instead of counting it', async () => {
    const chf = await ctx.finance.accounts.create(SUB, { name: 'Francs', currency: 'CHF' }, new Date());
    const groceries = (await ctx.finance.categories.list(SUB)).find((c) => c.name === 'Groceries')!.id;
    type Summary = { expenses: number; converted?: { from: string[]; unconverted: Array<{ currency: string; out: number; in: number; days: number }> } };
    const before = await ctx.api<Summary>('/api/summary?month=2026-11');
    await ctx.finance.transactions.create(SUB, { accountId: chf, date: '2026-11-10', description: 'Migros', amountMinor: -5_000, categoryId: groceries }, new Date());
    const unrated = await ctx.api<Summary>('/api/summary?month=2026-11');
    expect(unrated.expenses).toBe(before.expenses);
    expect(unrated.converted!.unconverted).toEqual([{ currency: 'CHF', out: 5_000, in: 0, days: 1 }]);
    expect((await get('/dashboard?month=2026-11')).body).toContain('Not in these figures, for want of a rate:');

    // A rate from before the day: CHF 50.00 at 1.13 = $56.50, in the dollar figures.
    await post('/rates', { date: '2026-11-01', currency: 'CHF', rate: '1.13' });
    const rated = await ctx.api<Summary>('/api/summary?month=2026-11');
    expect(rated.expenses).toBe(before.expenses + 5_650);
    expect(rated.converted!.from).toContain('CHF');
    expect(rated.converted!.unconverted).toEqual([]);
    expect((await get('/dashboard?month=2026-11')).body).toMatch(/with amounts in [A-Z, ]*CHF[A-Z, ]* converted at the rate in force on each day/);
    // The francs alone, one click away: unconverted.
    const francs = await ctx.api<Summary & { currency: string }>('/api/summary?month=2026-11&currency=CHF');
    expect([francs.currency, francs.expenses, francs.converted]).toEqual(['CHF', 5_000, undefined]);
  });

  it("#50 cannot reach another user's rates", async () => {
    await ctx.finance.rates.upsert('auth0|rates-other', 'USD', [{ currency: 'SEK', date: '2026-11-01', rateE8: 113_000_000 }]);
    expect((await post('/rates/delete', { currency: 'SEK', date: '2026-11-01' })).status).toBe(404);
    expect((await get('/rates')).body).not.toContain('SEK');
    expect(await ctx.finance.rates.count('auth0|rates-other')).toBe(1);
  });
});
