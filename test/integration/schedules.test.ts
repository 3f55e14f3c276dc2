import { describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf, signIn } from '../helpers/flows.js';
import { useMemberStack } from '../helpers/stack.js';

/** The member signed in once; the stack's clock says 2026-11-18. */
const ctx = useMemberStack();
const { post, get, api } = ctx;
const SUB = 'auth0|demo-member';

const scheduleNamed = async (description: string) => (await ctx.finance.schedules.list(SUB)).find((s) => s.description === description);

describe('schedules', () => {
  it('adds a schedule, shows it on the dashboard when due, enters it in one click and moves it on', async () => {
    const checking = await ctx.finance.accounts.create(SUB, { name: 'Bills', currency: 'USD', openingBalance: 50_000, openingDate: '2026-01-01' }, new Date());
    const bad = await post('/schedules', { description: 'Rent', kind: 'out', amount: 'lots', accountId: checking, categoryId: '', every: '1', frequency: 'months', date: '2026-11-31' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Enter the next date as YYYY-MM-DD');
    expect(bad.body).toContain('value="lots"');
    expect(await scheduleNamed('Rent')).toBeUndefined();

    expect((await post('/schedules', { description: 'Rent', kind: 'out', amount: '800.00', accountId: checking, categoryId: '', every: '1', frequency: 'months', date: '2026-11-15' })).status).toBe(303);
    const rent = (await scheduleNamed('Rent'))!;
    expect(rent).toMatchObject({ amountMinor: -80_000, nextDate: '2026-11-15', anchorDay: 15 });
    const list = await get('/schedules');
    expect(list.body).toContain('every month');
    // Three months of the same gym charge: offered as a schedule, already filled in.
    const card = await ctx.finance.accounts.create(SUB, { name: 'Gym card', currency: 'USD', type: 'credit_card' }, new Date());
    for (const m of ['09', '10', '11']) await ctx.finance.transactions.create(SUB, { accountId: card, date: `2026-${m}-07`, description: 'City Gym', amountMinor: -3_900, categoryId: null }, new Date());
    const suggested = await get('/schedules/suggestions');
    expect(suggested.body).toMatch(/<strong>City Gym<\/strong> -\$39.00 in Gym card, monthly, next on 2026-12-07/);
    expect(suggested.body).toContain('name="amount" value="39.00"');

    // Due (the 15th has passed): on the dashboard with an Enter button, and the forecast warns.
    const dash = await get('/dashboard');
    expect(dash.body).toContain('Coming up');
    expect(dash.body).toContain(`action="/schedules/${rent.id}/enter"`);
    expect(dash.body).toMatch(/<strong>Bills<\/strong> would go below zero on 2026-11-18/);
    // The month's figures are drawn once and kept; "Coming up" is drawn per request, so another
    // session of the same person gets its own CSRF token in the Enter form, not this one's.
    const other = new TestBrowser();
    const otherDash = await signIn(other, ctx.stack);
    const otherToken = csrfTokenOf(otherDash);
    expect(otherToken).not.toBe(ctx.token);
    expect(otherDash.body).toContain(`action="/schedules/${rent.id}/enter"`);
    expect([...otherDash.body.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1])).toEqual(expect.arrayContaining([otherToken]));
    expect(otherDash.body).not.toContain(ctx.token);
    expect([...dash.body.matchAll(/name="_csrf" value="([^"]+)"/g)].every((m) => m[1] === ctx.token)).toBe(true);
    const forecast = await get('/schedules/forecast');
    expect(forecast.body).toContain('Would go below zero on <strong>2026-11-18</strong> (-$300.00)');

    const entered = await post(`/schedules/${rent.id}/enter`, { returnTo: 'dashboard' });
    expect(entered.status).toBe(303);
    expect(entered.headers.get('location')).toBe('/dashboard');
    expect((await get('/dashboard')).body).toContain('Entered Rent on 2026-11-15.');
    const rows = await ctx.finance.transactions.list(SUB, { from: '2026-11-01', to: '2026-11-30' });
    expect(rows.filter((r) => r.accountId === checking).map((r) => [r.date, r.amountMinor])).toEqual([['2026-11-15', -80_000]]);
    expect((await scheduleNamed('Rent'))!.nextDate).toBe('2026-12-15');
    // Clicked again from the same page: not due any more, nothing added.
    expect((await post(`/schedules/${rent.id}/enter`, {})).status).toBe(409);
    expect((await ctx.finance.transactions.list(SUB, { from: '2026-11-01', to: '2026-11-30' })).filter((r) => r.accountId === checking)).toHaveLength(1);

    // Edit keeps the schedule's id; delete removes it and keeps the entered transaction.
    expect((await post(`/schedules/${rent.id}`, { description: 'Rent', kind: 'out', amount: '850.00', accountId: checking, categoryId: '', every: '1', frequency: 'months', date: '2026-12-15' })).status).toBe(303);
    expect((await scheduleNamed('Rent'))!.amountMinor).toBe(-85_000);
    expect((await post(`/schedules/${rent.id}/delete`, {})).status).toBe(303);
    expect(await scheduleNamed('Rent')).toBeUndefined();
    expect((await ctx.finance.transactions.list(SUB, { from: '2026-11-01', to: '2026-11-30' })).filter((r) => r.accountId === checking)).toHaveLength(1);
  });

  it("#50 answers 404 for another user's schedule and changes nothing", async () => {
    const theirs = await ctx.finance.accounts.create('auth0|stranger', { name: 'Theirs', currency: 'USD' }, new Date());
    const id = await ctx.finance.schedules.create('auth0|stranger', { accountId: theirs, description: 'Private', amountMinor: -100, categoryId: null, transferAccountId: null, frequency: 'weeks', every: 1, anchorDay: 1, nextDate: '2026-11-01' }, new Date());
    expect((await get(`/schedules/${id}/edit`)).status).toBe(404);
    const mine = await ctx.finance.accounts.create(SUB, { name: 'Mine', currency: 'USD' }, new Date());
    expect((await post(`/schedules/${id}`, { description: 'Mine now', kind: 'out', amount: '1', accountId: mine, every: '1', frequency: 'weeks', date: '2026-11-20' })).status).toBe(404);
    expect((await post(`/schedules/${id}/enter`, {})).status).toBe(404);
    expect((await post(`/schedules/${id}/delete`, {})).status).toBe(404);
    // Their account cannot carry one of mine either.
    expect((await post('/schedules', { description: 'Sneaky', kind: 'out', amount: '1', accountId: theirs, every: '1', frequency: 'weeks', date: '2026-11-20' })).status).toBe(400);
    expect(await ctx.finance.schedules.find('auth0|stranger', id)).toMatchObject({ description: 'Private', nextDate: '2026-11-01' });
    expect(await ctx.finance.transactions.list('auth0|stranger', { from: '2026-01-01', to: '2026-12-31' })).toEqual([]);
  });
});
