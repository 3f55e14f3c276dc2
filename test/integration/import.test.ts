import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsRule } from '../../src/features/rules/repository.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { csrfTokenOf, MEMBER, signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let finance: Finance;
let browser: TestBrowser;
let token: string;
let accountId: string;
beforeAll(async () => {
  stack = await startStack();
  finance = createFinance(stack.database.db);
  accountId = await finance.accounts.create(MEMBER.sub, { name: 'Checking', currency: 'USD' }, new Date());
  browser = new TestBrowser();
  token = csrfTokenOf(await signIn(browser, stack));
});
afterAll(async () => {
  await stack?.close();
});

/** The member's transactions, counted by the database (not read back: one import here writes 50,000). */
const count = async () => Number((await stack.database.db.selectFrom('transactions').select((eb) => eb.fn.countAll<number>().as('n')).where('user_sub', '=', MEMBER.sub).executeTakeFirstOrThrow()).n);

async function preview(file: string, options: Record<string, string> = {}, name = 'statement.csv'): Promise<Page> {
  const form = new FormData();
  const fields = { _csrf: token, accountId, format: 'signed', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes', ...options };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file], { type: 'text/csv' }), name);
  return browser.request(`${stack.baseUrl}/import/preview`, { method: 'POST', body: form });
}

async function confirm(page: Page): Promise<Page> {
  const action = /action="(\/import\/[^"]+\/confirm)"/.exec(page.body)![1]!;
  return browser.post(`${stack.baseUrl}${action}`, { _csrf: token });
}

describe('import', () => {
  it('previews without writing, imports on confirmation, and skips everything on re-import', async () => {
    await finance.categories.ensureSeeded(MEMBER.sub, new Date());
    const csv = 'Date,Description,Amount\n2026-10-01,Acme payroll,4850.00\n2026-10-02,FreshMart,-82.10\n2026-10-02,FreshMart,-82.10\n';
    const before = await count();
    const page = await preview(csv);
    expect(page.status).toBe(200);
    expect(page.body).toContain('3 rows read, 0 already imported (skipped), 3 new.');
    expect(await count()).toBe(before);
    const done = await confirm(page);
    expect(done.body).toContain('Imported 3 transactions');
    expect(await count()).toBe(before + 3);

    const again = await preview(csv);
    expect(again.body).toContain('3 rows read, 3 already imported (skipped), 0 new.');
    expect(await count()).toBe(before + 3);
  });

  it('matches rows entered by hand: same account and amount within 7 days, one to one', async () => {
    await finance.transactions.create(MEMBER.sub, { accountId, date: '2026-09-10', description: 'typed by hand', amountMinor: -2500, categoryId: null }, new Date());
    const page = await preview('Date,Description,Amount\n2026-09-14,Cinema City,-25.00\n2026-09-15,Cinema City,-25.00\n');
    expect(page.body).toContain('2 rows read, 1 already imported (skipped), 1 new.');
  });

  it('shows per-line errors and refuses to import any of the file', async () => {
    const before = await count();
    const page = await preview('Date,Description,Amount\n2026-08-01,ok,-1.00\n2026-08-32,bad,-1\n');
    expect(page.status).toBe(400);
    expect(page.body).toContain('Line 3: &#34;2026-08-32&#34; is not a date');
    expect(page.body).not.toContain('/confirm');
    expect(await count()).toBe(before);
  });

  it('applies the file options and auto-categorisation rules', async () => {
    const groceries = (await finance.categories.list(MEMBER.sub)).find((c) => c.name === 'Groceries')!;
    await finance.rules.create(MEMBER.sub, containsRule('bäckerei', groceries.id), new Date());
    const page = await preview('12.07.2026;Bäckerei Schmidt;-1.234,50\n', { delimiter: 'semicolon', decimal: 'comma', dateFormat: 'DD.MM.YYYY', header: '' });
    expect(page.body).toContain('Bäckerei Schmidt');
    expect(page.body).toContain('<td>Groceries</td>');
    expect(page.body).toContain('-$1,234.50');
    await confirm(page);
    const [row] = await finance.transactions.list(MEMBER.sub, { from: '2026-07-12', to: '2026-07-12' });
    expect(row).toMatchObject({ amountMinor: -123450, categoryId: groceries.id });
  });

  it('imports OFX and deduplicates on FITID', async () => {
    const ofx = '<OFX><BANKTRANLIST><STMTTRN><DTPOSTED>20260601<TRNAMT>-10.00<FITID>F-1<NAME>Gym<STMTTRN><DTPOSTED>20260602<TRNAMT>-3.00<FITID>F-2<NAME>Tea</BANKTRANLIST></OFX>';
    await confirm(await preview(ofx, { format: 'ofx' }, 'bank.ofx'));
    const again = await preview(ofx.replace('-10.00', '-10.50'), { format: 'ofx' }, 'bank.ofx');
    expect(again.body).toContain('2 rows read, 2 already imported (skipped), 0 new.');
  });

  it('refuses an upload over the size cap with a clear 413', async () => {
    const res = await preview('Date,Description,Amount\n' + '2026-01-01,x,-1.00\n'.repeat(300_000));
    expect(res.status).toBe(413);
    expect(res.body).toContain('larger than 5 MB');
  });

  it('names what is missing when no file or options are sent', async () => {
    const form = new FormData();
    form.append('_csrf', token);
    const res = await browser.request(`${stack.baseUrl}/import/preview`, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    for (const m of ['Choose the file format.', 'Choose a file to import.', 'Choose the account to import into.']) expect(res.body).toContain(m);
  });

  it('refuses an upload without the CSRF token', async () => {
    const form = new FormData();
    form.append('file', new Blob(['Date,Description,Amount\n']), 'a.csv');
    expect((await browser.request(`${stack.baseUrl}/import/preview`, { method: 'POST', body: form })).status).toBe(403);
  });

  it('imports 50,000 rows in one go (the benchmark measures how long it takes)', async () => {
    const lines = ['Date,Description,Amount'];
    for (let i = 0; i < 50_000; i++) lines.push(`2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')},Shop ${i % 997},-${(i % 5000) + 1}.${String(i % 100).padStart(2, '0')}`);
    const before = await count();
    const page = await preview(lines.join('\n'));
    expect(page.body).toContain('50000 rows read');
    await confirm(page);
    expect(await count()).toBe(before + 50_000);
  }, 60_000);
});
