import { describe, expect, it } from 'vitest';
import { useMemberStack } from '../helpers/stack.js';

/** The member signed in once; the stack's clock says 2026-11-18. */
const ctx = useMemberStack();
const { post, get } = ctx;
const SUB = 'auth0|demo-member';

async function upload(accountId: string, csv: string, name: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ _csrf: ctx.token, accountId, format: 'signed', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes' })) form.append(k, v);
  form.append('file', new Blob([csv], { type: 'text/csv' }), name);
  const preview = await ctx.browser.request(`${ctx.stack.baseUrl}/import/preview`, { method: 'POST', body: form });
  const action = /action="(\/import\/[^"]+\/confirm)"/.exec(preview.body)![1]!;
  return post(action, {});
}

const rowsOf = async (accountId: string) => (await ctx.finance.transactions.list(SUB, { from: '1900-01-01', to: '2199-12-31', limit: 100_000 })).filter((t) => t.accountId === accountId);
const flashOf = (html: string) => /class="flash[^"]*" role="(?:status|alert)">([^<]*)</.exec(html)?.[1];

describe('finding transactions', () => {
  it('pages 250 rows a hundred at a time with a count, sorts by amount and payee, and searches across every month', async () => {
    const acct = await ctx.finance.accounts.create(SUB, { name: 'Paging', currency: 'USD' }, new Date());
    const csv = ['Date,Description,Amount', ...Array.from({ length: 250 }, (_, i) => `2026-10-${String((i % 28) + 1).padStart(2, '0')},Shop ${String(i).padStart(3, '0')},-${i + 1}.00`)].join('\n');
    await upload(acct, csv, 'october.csv');
    const first = await get(`/transactions?month=2026-10&account=${acct}`);
    expect(first.body).toContain('250 transactions found in Oct 2026');
    expect(first.body).toContain('Showing 1–100 of 250');
    expect(first.body.match(/name="ids"/g)).toHaveLength(100);
    expect(first.body).toMatch(/href="\/transactions\?month=2026-10&amp;account=[^"]+&amp;page=3"/);
    const third = await get(`/transactions?month=2026-10&account=${acct}&page=3`);
    expect(third.body).toContain('Showing 201–250 of 250');
    expect(third.body.match(/name="ids"/g)).toHaveLength(50);
    // A page past the end shows the last one.
    expect((await get(`/transactions?month=2026-10&account=${acct}&page=99`)).body).toContain('Showing 201–250 of 250');

    // Largest spending first: -$250.00 (Shop 249) leads when sorted by amount ascending.
    const byAmount = await get(`/transactions?month=2026-10&account=${acct}&sort=amount&dir=asc`);
    expect(byAmount.body.indexOf('Shop 249')).toBeGreaterThan(0);
    expect(byAmount.body.indexOf('Shop 249')).toBeLessThan(byAmount.body.indexOf('Shop 248'));
    expect(byAmount.body).toMatch(/aria-sort="ascending"><a href="[^"]*sort=amount&amp;dir=desc/);
    const byPayee = await get(`/transactions?month=2026-10&account=${acct}&sort=payee&dir=asc`);
    expect(byPayee.body.indexOf('Shop 000')).toBeLessThan(byPayee.body.indexOf('Shop 001'));

    // Search across all months and within a date range; uncategorised and cleared filters.
    await ctx.finance.transactions.create(SUB, { accountId: acct, date: '2025-03-04', description: 'Shop far back', amountMinor: -500, categoryId: null }, new Date());
    expect((await get(`/transactions?month=all&q=far+back`)).body).toContain('1 transaction found in all dates');
    expect((await get(`/transactions?from=2025-01-01&to=2025-12-31&account=${acct}`)).body).toContain('1 transaction found in 2025-01-01 to 2025-12-31');
    expect((await get(`/transactions?month=all&account=${acct}&category=none`)).body).toContain('251 transactions found');
    expect((await get(`/transactions?month=all&account=${acct}&cleared=cleared`)).body).toContain('No transactions match this search and these filters.');
    // A date that is not one is said, and the rest of the query still applies.
    const bad = await get(`/transactions?from=2026-02-30&account=${acct}`);
    expect(bad.status).toBe(200);
    expect(bad.body).toContain('&#34;2026-02-30&#34; is not a date');
  });

  it('an empty month says it is empty; an empty search says the filter found nothing', async () => {
    expect((await get('/transactions?month=1999-01')).body).toContain('No transactions in Jan 1999 yet.');
    expect((await get('/transactions?month=1999-01&q=zzz')).body).toContain('No transactions match this search');
  });
});

describe('changing many transactions at once', () => {
  it('re-categorises everything a search finds behind one confirmation, then undoes the import that brought the rows', async () => {
    const acct = await ctx.finance.accounts.create(SUB, { name: 'Bulk', currency: 'USD' }, new Date());
    const groceries = (await ctx.finance.categories.list(SUB)).find((c) => c.name === 'Groceries')!;
    const csv = ['Date,Description,Amount', ...Array.from({ length: 120 }, (_, i) => `2026-09-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? 'FreshMart' : 'Fuel'} ${i},-10.00`)].join('\n');
    const done = await upload(acct, csv, 'september.csv');
    expect(done.headers.get('location')).toBe('/import');
    const imports = await get('/import');
    expect(flashOf(imports.body)).toBe('Imported 120 transactions.');
    expect(imports.body).toMatch(/<td data-label="File">september.csv<\/td>\s*<td data-label="Imported on">2026-11-18<\/td>\s*<td data-label="Account">Bulk<\/td>\s*<td data-label="Rows" class="num">120/);
    // Shown once: the next page has no message.
    expect(flashOf((await get('/import')).body)).toBeUndefined();

    const filter = { scope: 'filter', month: '2026-09', account: acct, q: 'freshmart', action: 'category', categoryId: groceries.id, returnTo: `/transactions?month=2026-09&account=${acct}&q=freshmart` };
    const ask = await post('/transactions/bulk', filter);
    expect(ask.status).toBe(200);
    expect(ask.body).toContain('Put 60 transactions in Groceries?');
    expect((await rowsOf(acct)).filter((r) => r.categoryId === groceries.id)).toHaveLength(0);
    // A stale count (rows changed since the question) asks again instead of changing a different number.
    const stale = await post('/transactions/bulk', { ...filter, confirm: '59' });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('The transactions changed since you asked, so nothing was changed.');
    const yes = await post('/transactions/bulk', { ...filter, confirm: '60' });
    expect(yes.status).toBe(303);
    expect(yes.headers.get('location')).toBe(filter.returnTo);
    expect(flashOf((await get(filter.returnTo)).body)).toBe('Put 60 transactions in Groceries.');
    const rows = await rowsOf(acct);
    expect(rows.filter((r) => r.categoryId === groceries.id).map((r) => r.description.startsWith('FreshMart'))).toEqual(Array(60).fill(true));
    // The stored month totals follow the rows: Groceries in September is the sum of its rows.
    const groceriesTotal = async () => (await ctx.finance.transactions.monthlyTotals(SUB, 'USD', '2026-09', '2026-09')).find((t) => t.categoryId === groceries.id) ?? { total: 0, count: 0 };
    const septRows = (await ctx.finance.transactions.list(SUB, { from: '2026-09-01', to: '2026-09-30', categoryId: groceries.id })).filter((r) => r.splits.length === 0);
    expect(await groceriesTotal()).toMatchObject({ total: septRows.reduce((n, r) => n + r.amountMinor, 0), count: septRows.length });
    expect(septRows.filter((r) => r.accountId === acct)).toHaveLength(60);

    // Ticked rows: mark two cleared.
    const two = rows.slice(0, 2).map((r) => r.id);
    const askTwo = await post('/transactions/bulk', { scope: 'selected', ids: two, action: 'cleared', returnTo: '/transactions' });
    expect(askTwo.body).toContain('Mark 2 transactions cleared?');
    await post('/transactions/bulk', { scope: 'selected', ids: two, action: 'cleared', confirm: '2', returnTo: '/transactions' });
    expect((await rowsOf(acct)).filter((r) => r.cleared === 'cleared')).toHaveLength(2);

    // Undo the import: every row goes in one step, and the list says so.
    const batch = (await ctx.finance.importBatches.list(SUB)).find((b) => b.fileName === 'september.csv')!;
    const undone = await post(`/import/batches/${batch.id}/undo`, {});
    expect(undone.status).toBe(303);
    expect(flashOf((await get('/import')).body)).toBe('Removed the import of september.csv: 120 transactions deleted.');
    expect(await rowsOf(acct)).toHaveLength(0);
    expect((await groceriesTotal()).count).toBe(septRows.length - 60);
    expect((await post(`/import/batches/${batch.id}/undo`, {})).status).toBe(404);
  });

  it('refuses to undo an import one of whose rows was reconciled since, and changes nothing', async () => {
    const acct = await ctx.finance.accounts.create(SUB, { name: 'Undo guard', currency: 'USD' }, new Date());
    await upload(acct, 'Date,Description,Amount\n2026-09-01,Rent,-900.00\n2026-09-02,Gas,-40.00\n', 'guarded.csv');
    const [first] = await rowsOf(acct);
    await ctx.finance.transactions.setCleared(SUB, first!.id, 'reconciled');
    const batch = (await ctx.finance.importBatches.list(SUB)).find((b) => b.fileName === 'guarded.csv')!;
    expect((await post(`/import/batches/${batch.id}/undo`, {})).status).toBe(303);
    expect((await get('/import')).body).toMatch(/role="alert">The import of guarded.csv was not undone: 1 of its transactions is reconciled/);
    expect(await rowsOf(acct)).toHaveLength(2);
    expect((await ctx.finance.importBatches.find(SUB, batch.id))?.remaining).toBe(2);
  });

  it('leaves reconciled rows and transfers out of changes they cannot take, and says how many', async () => {
    const a = await ctx.finance.accounts.create(SUB, { name: 'Mixed A', currency: 'USD' }, new Date());
    const b = await ctx.finance.accounts.create(SUB, { name: 'Mixed B', currency: 'USD' }, new Date());
    const eur = await ctx.finance.accounts.create(SUB, { name: 'Mixed EUR', currency: 'EUR' }, new Date());
    const plain = await ctx.finance.transactions.create(SUB, { accountId: a, date: '2026-08-03', description: 'Plain', amountMinor: -100, categoryId: null }, new Date());
    const locked = await ctx.finance.transactions.create(SUB, { accountId: a, date: '2026-08-04', description: 'Locked', amountMinor: -200, categoryId: null, cleared: 'reconciled' }, new Date());
    const moved = await ctx.finance.transactions.create(SUB, { accountId: a, date: '2026-08-05', description: 'To savings', amountMinor: -300, categoryId: null, transfer: { accountId: b, amountMinor: 300 } }, new Date());
    const ask = await post('/transactions/bulk', { scope: 'selected', ids: [plain, locked, moved], action: 'account', accountId: b, returnTo: '/transactions' });
    expect(ask.body).toContain('Move 1 transaction to Mixed B?');
    expect(ask.body).toContain('1 — reconciled with a statement');
    expect(ask.body).toContain('1 — transfers are moved by editing them');
    const toEur = await post('/transactions/bulk', { scope: 'selected', ids: [plain], action: 'account', accountId: eur, returnTo: '/transactions' });
    expect(toEur.body).toContain('Nothing would change.');
    // Deleting: the transfer goes with its other side, the reconciled row stays.
    await post('/transactions/bulk', { scope: 'selected', ids: [plain, locked, moved], action: 'delete', confirm: '2', returnTo: '/transactions' });
    expect((await rowsOf(a)).map((r) => r.description)).toEqual(['Locked']);
    expect(await rowsOf(b)).toHaveLength(0);
  });

  it("#50 finds none of another user's rows by id, and refuses their category or account", async () => {
    const theirs = await ctx.finance.accounts.create('auth0|stranger', { name: 'Theirs', currency: 'USD' }, new Date());
    const row = await ctx.finance.transactions.create('auth0|stranger', { accountId: theirs, date: '2026-08-03', description: 'Private', amountMinor: -100, categoryId: null }, new Date());
    expect((await post('/transactions/bulk', { scope: 'selected', ids: [row], action: 'delete', confirm: '1' })).status).toBe(400);
    const mine = await ctx.finance.accounts.create(SUB, { name: 'Mine', currency: 'USD' }, new Date());
    const own = await ctx.finance.transactions.create(SUB, { accountId: mine, date: '2026-08-03', description: 'Own', amountMinor: -100, categoryId: null }, new Date());
    expect((await post('/transactions/bulk', { scope: 'selected', ids: [own], action: 'account', accountId: theirs, confirm: '1' })).status).toBe(400);
    expect((await ctx.finance.transactions.find('auth0|stranger', row))?.description).toBe('Private');
    expect((await ctx.finance.transactions.find(SUB, own))?.accountId).toBe(mine);
  });
});

describe('the number style', () => {
  it('reads and fills amounts the way the profile says, and says where to change it', async () => {
    const acct = await ctx.finance.accounts.create(SUB, { name: 'Comma style', currency: 'EUR' }, new Date());
    expect((await post('/profile/preferences', { displayName: '', currency: 'USD', numberStyle: 'comma' })).status).toBe(303);
    const added = await post('/transactions', { date: '2026-11-03', description: 'Bäckerei', kind: 'out', accountId: acct, amount: '1.234,56', categoryId: '' });
    expect(added.status).toBe(303);
    const row = (await ctx.finance.transactions.list(SUB, { from: '2026-11-03', to: '2026-11-03' })).find((t) => t.accountId === acct)!;
    expect(row.amountMinor).toBe(-123_456);
    expect((await get(`/transactions/${row.id}/edit`)).body).toContain('name="amount" inputmode="decimal" required value="1234,56" placeholder="1.234,56"');
    const wrong = await post('/transactions', { date: '2026-11-03', description: 'Dot style', kind: 'out', accountId: acct, amount: '12.50', categoryId: '' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('is not an amount written like 1.234,56 (to write 1,234.56, choose it under &#34;Amounts look like&#34; in your profile).');
    expect((await get('/budgets')).body).toMatch(/name="amount_[^"]+" inputmode="decimal" value="(\d+,\d\d)?"/);
    // Back to the usual style: the same amount reads as dots again.
    expect((await post('/profile/preferences', { displayName: '', currency: 'USD', numberStyle: 'dot' })).status).toBe(303);
    expect((await get(`/transactions/${row.id}/edit`)).body).toContain('value="1234.56"');
    expect((await post('/profile/preferences', { displayName: '', currency: 'USD', numberStyle: 'semicolon' })).status).toBe(400);
  });
});
