import { describe, expect, it } from 'vitest';
import { monthRange } from '../../src/money/dates.js';
import { useMemberStack } from '../helpers/stack.js';

/** The member signed in once; the stack's clock says 2026-11-18. */
const ctx = useMemberStack();
const { post, get, api } = ctx;
const SUB = 'auth0|demo-member';
const STRANGER = 'auth0|somebody-else';

type ApiRow = { id: string; amount: number; account: string; category: string | null; transfer: { account: string } | null; splits: Array<{ category: string | null; amount: number }> };

async function account(name: string, type = 'checking') {
  const existing = (await ctx.finance.accounts.list(SUB, { includeArchived: true })).find((a) => a.name === name);
  return existing?.id ?? ctx.finance.accounts.create(SUB, { name, currency: 'USD', type: type as 'checking' }, new Date());
}
async function category(name: string) {
  await ctx.finance.categories.ensureSeeded(SUB, new Date());
  return (await ctx.finance.categories.list(SUB)).find((c) => c.name === name)!.id;
}
const rowsIn = async (accountId: string, month = '2026-10') =>
  (await api<{ items: ApiRow[] }>(`/api/transactions?account=${accountId}&from=${month}-01&to=${monthRange(month).last}`)).items;

async function upload(accountId: string, csv: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ _csrf: ctx.token, accountId, format: 'ynab', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes' })) form.append(k, v);
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'ynab.csv');
  return ctx.browser.request(`${ctx.stack.baseUrl}/import/preview`, { method: 'POST', body: form });
}
async function confirm(preview: { body: string }, extra: Record<string, string> = {}) {
  const action = /action="(\/import\/[^"]+\/confirm)"/.exec(preview.body)![1]!;
  // What the browser sends: every select as it stands, then the person's changes.
  const selects = Object.fromEntries([...preview.body.matchAll(/<select id="(transfer(?:Name)?_\d+)"[^>]*>([\s\S]*?)<\/select>/g)].map((m) => [m[1]!, /<option value="([^"]*)" selected>/.exec(m[2]!)?.[1] ?? /<option value="([^"]*)"/.exec(m[2]!)![1]!]));
  return post(action, { ...selects, ...extra });
}

describe('transfers through the transaction form', () => {
  it('moves money between two accounts as one linked pair that the summary leaves out; editing one side changes both; deleting removes both', async () => {
    const checking = await account('Everyday');
    const savings = await account('Rainy day', 'savings');
    const before = await api<{ expenses: number; income: number }>('/api/summary?month=2026-11');
    const added = await post('/transactions', { date: '2026-11-05', description: 'To savings', memo: '', kind: 'transfer', amount: '250.00', accountId: checking, transferAccountId: savings, categoryId: '' });
    expect(added.status).toBe(303);
    const out = (await rowsIn(checking, '2026-11')).find((r) => r.amount === -25_000)!;
    expect(out).toMatchObject({ category: null, transfer: { account: savings }, splits: [] });
    const incoming = (await rowsIn(savings, '2026-11')).find((r) => r.amount === 25_000)!;
    expect(incoming.transfer).toEqual({ account: checking });
    const after = await api<{ expenses: number; income: number }>('/api/summary?month=2026-11');
    expect(after).toMatchObject({ expenses: before.expenses, income: before.income });
    expect((await get('/transactions?month=2026-11')).body).toContain('Transfer to Rainy day');

    // The edit page of the receiving side shows the transfer from where the money left.
    const edit = await get(`/transactions/${incoming.id}/edit`);
    expect(edit.body).toMatch(new RegExp(`<option value="${checking}" selected>Everyday`));
    expect((await post(`/transactions/${incoming.id}`, { date: '2026-11-06', description: 'To savings', memo: '', kind: 'transfer', amount: '300.00', accountId: checking, transferAccountId: savings, categoryId: '' })).status).toBe(303);
    expect(await ctx.finance.transactions.find(SUB, out.id)).toMatchObject({ date: '2026-11-06', amountMinor: -30_000, accountId: checking });
    expect(await ctx.finance.transactions.find(SUB, incoming.id)).toMatchObject({ date: '2026-11-06', amountMinor: 30_000, accountId: savings });

    const del = await get(`/transactions/${out.id}/delete`);
    expect(del.body).toContain('its other side, in the other account, is deleted with it');
    expect((await post(`/transactions/${out.id}/delete`, {})).status).toBe(303);
    expect(await ctx.finance.transactions.find(SUB, incoming.id)).toBeUndefined();
  });

  it("#50 refuses another user's transaction ids with 404 and changes nothing", async () => {
    const theirs = await ctx.finance.accounts.create(STRANGER, { name: 'Theirs', currency: 'USD' }, new Date());
    const theirSavings = await ctx.finance.accounts.create(STRANGER, { name: 'Their savings', currency: 'USD' }, new Date());
    const id = await ctx.finance.transactions.create(STRANGER, { accountId: theirs, date: '2026-11-02', description: 'Private', amountMinor: -1_000, categoryId: null, transfer: { accountId: theirSavings, amountMinor: 1_000 } }, new Date());
    const peer = (await ctx.finance.transactions.find(STRANGER, id))!.transfer!.id;
    for (const target of [id, peer]) {
      expect((await get(`/transactions/${target}/edit`)).status).toBe(404);
      expect((await post(`/transactions/${target}`, { date: '2026-11-02', description: 'Mine now', memo: '', kind: 'out', amount: '1.00', accountId: await account('Everyday'), categoryId: '' })).status).toBe(404);
      expect((await post(`/transactions/${target}/delete`, {})).status).toBe(404);
      expect((await post(`/transactions/${target}/cleared`, { cleared: 'cleared' })).status).toBe(404);
    }
    // Their account cannot be the other side of one of mine either.
    const res = await post('/transactions', { date: '2026-11-05', description: 'Sneaky', memo: '', kind: 'transfer', amount: '5.00', accountId: await account('Everyday'), transferAccountId: theirs, categoryId: '' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('Choose the account the money goes to.');
    expect(await ctx.finance.transactions.find(STRANGER, id)).toMatchObject({ description: 'Private', amountMinor: -1_000, cleared: 'uncleared', transfer: { id: peer } });
    expect(await ctx.finance.accounts.sums(STRANGER, '2026-11-30')).toEqual(new Map([[theirs, { total: -1_000, cleared: 0 }], [theirSavings, { total: 1_000, cleared: 0 }]]));
  });
});

describe('split transactions through the transaction form', () => {
  it('saves parts that add up, shows them in the list and the API; refuses parts that do not, saying by how much, and writes nothing', async () => {
    const checking = await account('Everyday');
    const groceries = await category('Groceries');
    const shopping = await category('Shopping');
    const bad = await post('/transactions', { date: '2026-11-07', description: 'Big store', memo: '', kind: 'out', amount: '90.00', accountId: checking, categoryId: '', split0Category: groceries, split0Amount: '60.00', split1Category: shopping, split1Amount: '20.00' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('The parts add up to $80.00, not $90.00: $10.00 is not in any part.');
    expect(bad.body).toContain('value="20.00"'); // what was typed is kept
    expect((await rowsIn(checking, '2026-11')).some((r) => r.amount === -9_000)).toBe(false);

    const before = await api<{ categories: Array<{ id: string; spent: number }> }>('/api/summary?month=2026-11');
    const spentIn = (s: typeof before, id: string) => s.categories.find((c) => c.id === id)?.spent ?? 0;
    const ok = await post('/transactions', { date: '2026-11-07', description: 'Big store', memo: '', kind: 'out', amount: '90.00', accountId: checking, categoryId: '', split0Category: groceries, split0Amount: '60.00', split1Category: shopping, split1Amount: '30.00' });
    expect(ok.status).toBe(303);
    const row = (await rowsIn(checking, '2026-11')).find((r) => r.amount === -9_000)!;
    expect(row.splits).toEqual([{ category: groceries, amount: -6_000 }, { category: shopping, amount: -3_000 }]);
    const after = await api<{ categories: Array<{ id: string; spent: number }> }>('/api/summary?month=2026-11');
    expect(spentIn(after, groceries) - spentIn(before, groceries)).toBe(6_000);
    expect(spentIn(after, shopping) - spentIn(before, shopping)).toBe(3_000);
    const list = await get('/transactions?month=2026-11');
    expect(list.body).toContain('Split (2)');
    // The edit page shows the parts again.
    expect((await get(`/transactions/${row.id}/edit`)).body).toMatch(/name="split1Amount"[^>]*value="30.00"/);
  });
});

describe('transfers in imports', () => {
  it("turns YNAB's \"Transfer : <account>\" payees into transfers, lists unknown names, and matches the other side instead of doubling it", async () => {
    const checking = await account('YNAB Checking');
    const savings = await account('YNAB Savings', 'savings');
    const card = await account('YNAB Card', 'credit_card');
    // The card's payment is already in the card account (typed by hand, 2 days off).
    const typed = await ctx.finance.transactions.create(SUB, { accountId: card, date: '2026-10-22', description: 'Payment, thank you', amountMinor: 40_000, categoryId: null }, new Date());

    const checkingFile = [
      'Date,Payee,Category,Memo,Outflow,Inflow',
      '2026-10-01,Transfer : YNAB Savings,,,200.00,',
      '2026-10-20,Transfer : ynab card,,,400.00,',
      '2026-10-21,Transfer : Old Brokerage,,,50.00,',
      '2026-10-23,FreshMart,,,12.00,',
    ].join('\n');
    const preview = await upload(checking, checkingFile);
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('2 rows are transfers');
    expect(preview.body).toContain('Transfer : Old Brokerage');
    const done = await confirm(preview);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/import');
    expect((await get('/import')).body).toContain('2 transfers, 1 of them matched to a row already in the other account');

    const inChecking = await rowsIn(checking);
    expect(inChecking.find((r) => r.amount === -20_000)!.transfer).toEqual({ account: savings });
    expect(inChecking.find((r) => r.amount === -40_000)!.transfer).toEqual({ account: card });
    expect(inChecking.find((r) => r.amount === -5_000)!.transfer).toBeNull(); // an unknown name left as a payee
    // The card payment typed by hand became the other side: still one row in the card account.
    const inCard = await rowsIn(card);
    expect(inCard.map((r) => r.id)).toEqual([typed]);
    expect(inCard[0]!.transfer).toEqual({ account: checking });

    // The savings file has the same transfer from its side: already there, so skipped.
    const savingsFile = ['Date,Payee,Category,Memo,Outflow,Inflow', '2026-10-01,Transfer : YNAB Checking,,,,200.00', '2026-10-15,Interest,,,,1.25'].join('\n');
    const second = await upload(savings, savingsFile);
    expect(second.body).toContain('2 rows read, 1 already imported (skipped), 1 new.');
    await confirm(second);
    const inSavings = await rowsIn(savings);
    expect(inSavings.map((r) => r.amount).sort()).toEqual([125, 20_000]);
    const balances = await api<Array<{ id: string; balance: number }>>('/api/accounts');
    const balance = (id: string) => balances.find((b) => b.id === id)!.balance;
    expect([balance(checking), balance(savings), balance(card)]).toEqual([-20_000 - 40_000 - 5_000 - 1_200, 20_125, 40_000]);
  });

  it('lets a previewed row be picked as a transfer, and an unknown name be mapped to an account', async () => {
    const checking = await account('Pick Checking');
    const savings = await account('Pick Savings', 'savings');
    const file = ['Date,Payee,Category,Memo,Outflow,Inflow', '2026-10-03,Move money,,,75.00,', '2026-10-04,Transfer : Piggy,,,10.00,'].join('\n');
    const preview = await upload(checking, file);
    const done = await confirm(preview, { transfer_0: savings, transferName_0: savings });
    expect((await get('/import')).body).toContain('2 transfers, 0 of them matched');
    const rows = await rowsIn(checking);
    expect(rows.map((r) => r.transfer)).toEqual([{ account: savings }, { account: savings }]);

    // A choice naming someone else's account is refused and nothing is written.
    const other = await ctx.finance.accounts.create(STRANGER, { name: 'Not yours', currency: 'USD' }, new Date());
    const again = await upload(checking, ['Date,Payee,Category,Memo,Outflow,Inflow', '2026-10-09,Other move,,,5.00,'].join('\n'));
    const refused = await confirm(again, { transfer_0: other });
    // A file naming more unknown transfer accounts than the form can ask about is refused whole.
    const many = ['Date,Payee,Category,Memo,Outflow,Inflow', ...Array.from({ length: 21 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')},Transfer : Nowhere ${i},,,1.00,`)].join('\n');
    const tooMany = await upload(checking, many);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toContain('The file has transfers to 21 accounts you do not have; at most 20 can be matched in one import.');
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('choose one of your other active USD accounts for the transfer, or none');
    expect((await rowsIn(checking)).length).toBe(2);
  });
});
