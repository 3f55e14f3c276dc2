import { one } from '../helpers/sql.js';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDataRepository } from '../../src/features/data/repository.js';
import { transactionsCsv } from '../../src/features/data/export.js';
import type { Finance } from '../../src/features/finance.js';
import type { Page, TestBrowser } from '../helpers/browser.js';
import { MEMBER } from '../helpers/flows.js';
import { useMemberStack, type Stack } from '../helpers/stack.js';

const ctx = useMemberStack();
let stack: Stack;
let finance: Finance;
let browser: TestBrowser;
let token: string;
let accountId: string;
beforeAll(() => void ({ stack, finance, browser, token } = ctx));
beforeEach(async () => {
  // Every test starts from an empty member with one fresh account (the default categories come back on the next page).
  await createDataRepository(stack.database.db).deleteEverything(MEMBER.sub);
  await finance.categories.ensureSeeded(MEMBER.sub, stack.clock.now());
  accountId = await finance.accounts.create(MEMBER.sub, { name: 'Checking', currency: 'USD' }, stack.clock.now());
});

const allRows = () => finance.transactions.list(MEMBER.sub, { from: '1900-01-01', to: '2199-12-31', limit: 1_000_000 });
const pendingCount = async () => ((await one(stack.database, 'SELECT COUNT(*) AS n FROM pending_imports')) as { n: number }).n;

async function preview(file: string | Uint8Array<ArrayBuffer>, options: Record<string, string> = {}): Promise<Page> {
  const form = new FormData();
  const fields = { _csrf: token, accountId, format: 'signed', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes', ...options };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file]), 'statement.csv');
  return browser.request(`${stack.baseUrl}/import/preview`, { method: 'POST', body: form });
}

const confirmPath = (page: Page) => /action="(\/import\/[^"]+\/confirm)"/.exec(page.body)![1]!;
const confirm = (page: Page, choices: Record<string, string> = {}) => browser.post(`${stack.baseUrl}${confirmPath(page)}`, { _csrf: token, ...choices });
/** A month's summary without category ids (a restore gives the categories new ones). */
const summary = async (month: string) => {
  const s = JSON.parse((await browser.request(`${stack.baseUrl}/api/summary?month=${month}`)).body) as { categories: Array<Record<string, unknown>> };
  return { ...s, categories: s.categories.map(({ id: _id, ...c }) => c) };
};

describe("YNAB's Category and Memo columns", () => {
  const ynab = [
    'Date,Payee,Category,Memo,Outflow,Inflow',
    '10/03/2026,FreshMart,Everyday: groceries,weekly shop,82.10,',
    '10/04/2026,Acme,Income: Salary,,,4850.00',
    '10/05/2026,Vet clinic,Pets: Pet care,Rex check-up,120.00,',
    '10/06/2026,Pet shop,Pets: Pet care,,30.00,',
    '10/07/2026,Tutor,Kids: Lessons,,60.00,',
  ].join('\n');

  it('matches known names ignoring case, lists unknown ones, and creates or maps each on confirmation', async () => {
    const page = await preview(ynab, { format: 'ynab', dateFormat: 'MM/DD/YYYY' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Categories in the file that you do not have yet');
    expect(page.body).toMatch(/Pet care <span class="muted small">\(2 rows\)/);
    expect(page.body).toContain('Lessons');
    expect(page.body).toContain('weekly shop');

    // Without a choice for every new name nothing is imported, and the page says which.
    const missing = await confirm(page, { category_0: 'create:want' });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('Choose what to do with the category &#34;Lessons&#34;.');
    expect(await allRows()).toEqual([]);

    const shopping = (await finance.categories.list(MEMBER.sub)).find((c) => c.name === 'Shopping')!;
    const done = await confirm(page, { category_0: 'create:want', category_1: `map:${shopping.id}` });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Imported 5 transactions; 1 new category created.');
    const categories = new Map((await finance.categories.list(MEMBER.sub)).map((c) => [c.id, c]));
    const rows = await allRows();
    const byPayee = new Map(rows.map((r) => [r.description, r]));
    expect(categories.get(byPayee.get('FreshMart')!.categoryId!)!.name).toBe('Groceries');
    expect(categories.get(byPayee.get('Acme')!.categoryId!)!.name).toBe('Salary');
    expect(categories.get(byPayee.get('Vet clinic')!.categoryId!)).toMatchObject({ name: 'Pet care', group: 'want' });
    expect(byPayee.get('Pet shop')!.categoryId).toBe(byPayee.get('Vet clinic')!.categoryId);
    expect(byPayee.get('Tutor')!.categoryId).toBe(shopping.id);
    // Memo stays apart from the payee, and the list shows both.
    expect(byPayee.get('FreshMart')).toMatchObject({ description: 'FreshMart', memo: 'weekly shop' });
    const list = await browser.get(`${stack.baseUrl}/transactions?month=2026-10`);
    expect(list.body).toMatch(/FreshMart<br><span class="muted small">weekly shop<\/span>/);
  });
});

describe("this app's own CSV", () => {
  it('re-imports an export into an empty account with every category and amount intact', async () => {
    const cats = new Map((await finance.categories.list(MEMBER.sub)).map((c) => [c.name, c.id]));
    const hobby = await finance.categories.create(MEMBER.sub, 'Hobbies, "crafts"', 'want', stack.clock.now());
    const rows = [
      ['2026-09-01', 'Acme payroll', 485000, cats.get('Salary')!, null],
      ['2026-09-02', '=Rent, September', -165000, cats.get('Rent')!, 'flat 4'],
      ['2026-09-03', 'Yarn shop', -4599, hobby, 'wool'],
      ['2026-09-04', 'Unknown card charge', -1234, null, null],
      ['2026-10-05', '-refund-', 2000, cats.get('Shopping')!, null],
      ['2026-10-06', 'Transfer to savings', -50000, cats.get('Savings')!, null],
    ] as const;
    for (const [date, description, amountMinor, categoryId, memo] of rows) {
      await finance.transactions.create(MEMBER.sub, { accountId, date, description, amountMinor, categoryId, memo }, stack.clock.now());
    }
    const before = [await summary('2026-09'), await summary('2026-10')];
    const csv = await transactionsCsv(await createDataRepository(stack.database.db).everything(MEMBER.sub));

    await createDataRepository(stack.database.db).deleteEverything(MEMBER.sub);
    await finance.categories.ensureSeeded(MEMBER.sub, stack.clock.now());
    accountId = await finance.accounts.create(MEMBER.sub, { name: 'Restored', currency: 'USD' }, stack.clock.now());
    const page = await preview(csv, { format: 'app' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('6 new');
    // The export names the group of a category the person no longer has: it is the default choice.
    expect(page.body).toMatch(/<option value="create:want" selected>/);
    const done = await confirm(page, { category_0: 'create:want' });
    expect(done.status).toBe(200);
    expect([await summary('2026-09'), await summary('2026-10')]).toEqual(before);
    const restored = new Map((await allRows()).map((r) => [r.date, r]));
    expect(restored.get('2026-09-02')).toMatchObject({ description: '=Rent, September', memo: 'flat 4', amountMinor: -165000 });
    expect(restored.get('2026-10-05')).toMatchObject({ description: '-refund-', amountMinor: 2000 });
  });

  it('refuses rows in another currency than the account, naming the line', async () => {
    const page = await preview('date,account,description,amount,currency,category,group,memo\n2026-10-01,A,Café,-3.20,EUR,,,\n', { format: 'app' });
    expect(page.status).toBe(400);
    expect(page.body).toContain('Line 2: This row is in EUR, but the account is in USD.');
    expect((await pendingCount())).toBe(0);
  });
});

describe('text encodings', () => {
  const text = 'Date,Description,Amount\n2026-10-01,Café Crème,-3.20\n';
  const utf16 = (s: string, be: boolean) => {
    const out = new Uint8Array(2 + s.length * 2);
    out.set(be ? [0xfe, 0xff] : [0xff, 0xfe]);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out.set(be ? [c >> 8, c & 0xff] : [c & 0xff, c >> 8], 2 + i * 2);
    }
    return out;
  };
  const cp1252 = Uint8Array.from([...text].map((ch) => (ch === 'é' ? 0xe9 : ch === 'è' ? 0xe8 : ch.charCodeAt(0))));
  it.each([
    ['UTF-8 without a BOM', new TextEncoder().encode(text), 'UTF-8'],
    ['UTF-8 with a BOM', Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]), 'UTF-8'],
    ['UTF-16 LE with a BOM', utf16(text, false), 'UTF-16 LE'],
    ['UTF-16 BE with a BOM', utf16(text, true), 'UTF-16 BE'],
    ['Windows-1252', cp1252, 'Windows-1252'],
  ])('reads %s so "Café" stays "Café"', async (_name, bytes, encoding) => {
    const page = await preview(bytes);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<td>Café Crème</td>');
    expect(page.body).toContain(`(${encoding})`);
  });
});

describe('bounded previews', () => {
  it('collects the first 50 errors and counts the rest, echoes at most 200 characters of a cell, and stores nothing', async () => {
    const lines = ['Date,Description,Amount', `${'x'.repeat(5000)},long,-1.00`];
    for (let i = 0; i < 119; i++) lines.push(`2026-13-${String((i % 28) + 1).padStart(2, '0')},bad,-1.00`);
    const page = await preview(lines.join('\n'));
    expect(page.status).toBe(400);
    expect(page.body).toContain('120 lines have errors');
    expect(page.body.match(/<li>Line \d+:/g)).toHaveLength(50);
    expect(page.body).toContain('…and 70 more.');
    expect(page.body).toContain(`&#34;${'x'.repeat(200)}…&#34;`);
    expect(page.body).not.toContain('x'.repeat(201));
    expect(page.body).not.toContain('/confirm');
    expect((await pendingCount())).toBe(0);
  });

  it('refuses dates outside 1900-01-01..2199-12-31 in files and forms', async () => {
    const page = await preview('Date,Description,Amount\n9999-12-31,far future,-1.00\n1899-12-31,far past,-1.00\n');
    expect(page.status).toBe(400);
    expect(page.body).toContain('Line 2: &#34;9999-12-31&#34; is not a date in the YYYY-MM-DD format between 1900-01-01 and 2199-12-31.');
    const form = await browser.post(`${stack.baseUrl}/transactions`, { _csrf: token, accountId, date: '9999-12-31', description: 'x', memo: '', kind: 'out', amount: '1', categoryId: '' });
    expect(form.status).toBe(400);
    expect(form.body).toContain('between 1900-01-01 and 2199-12-31');
    expect(await allRows()).toEqual([]);
  });

  it('answers a too-large amount or total with a 400 naming the line, never a 500, and writes nothing', async () => {
    const huge = ['Date,Description,Amount', ...Array.from({ length: 9300 }, (_, i) => `2026-10-01,big ${i},-10000000000000.00`)];
    const tooLarge = await preview(huge.join('\n'));
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body).toContain('Line 2: Amount: That amount is too large: the most is 9999999999.99 USD.');
    const many = ['Date,Description,Amount', ...Array.from({ length: 1001 }, (_, i) => `2026-10-01,big ${i},-9999999999.99`)];
    const total = await preview(many.join('\n'));
    expect(total.status).toBe(400);
    expect(total.body).toContain('Line 1002: This amount takes the sum of all your amounts');
    expect((await pendingCount())).toBe(0);
    expect(await allRows()).toEqual([]);
  });

  it('matches 8,000 rows of one amount on one date against 8,000 such rows, one to one', async () => {
    await finance.transactions.insertMany(
      MEMBER.sub,
      Array.from({ length: 8000 }, (_, i) => ({ accountId, date: '2026-06-15', description: `Existing ${i}`, amountMinor: -1234, categoryId: null })),
      stack.clock.now(),
    );
    const file = ['Date,Description,Amount', ...Array.from({ length: 8001 }, (_, i) => `2026-06-${i < 4000 ? '15' : '20'},Imported ${i},-12.34`)];
    const page = await preview(file.join('\n'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('8001 rows read, 8000 already imported (skipped), 1 new.');
  });

  it('keeps answering other requests while a large file is previewed', async () => {
    const file = ['Date,Description,Amount', ...Array.from({ length: 50_000 }, (_, i) => `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')},Shop ${i},-${(i % 5000) + 1}.00`)];
    let previewDone = 0;
    const running = preview(file.join('\n')).then((p) => {
      previewDone = performance.now();
      return p;
    });
    // Wait until the server is into the preview, then ask for something else.
    await new Promise((r) => setTimeout(r, 150));
    const health = await fetch(`${stack.baseUrl}/healthz`);
    const answered = performance.now();
    expect(health.status).toBe(200);
    const page = await running;
    expect(page.status).toBe(200);
    expect(answered).toBeLessThan(previewDone);
  }, 60_000);
});

describe('pending imports', () => {
  it('expire after an hour and are deleted', async () => {
    const page = await preview('Date,Description,Amount\n2026-10-01,Tea,-3.00\n');
    expect((await pendingCount())).toBe(1);
    stack.clock.set(new Date(stack.clock.now().getTime() + 61 * 60_000));
    const late = await confirm(page);
    expect(late.status).toBe(404);
    expect(late.body).toContain('no longer waiting');
    expect(await finance.imports.deleteExpired(stack.clock.now())).toBe(1);
    expect((await pendingCount())).toBe(0);
    expect(((await one(stack.database, 'SELECT COUNT(*) AS n FROM pending_import_chunks')) as { n: number }).n).toBe(0);
    expect(await allRows()).toEqual([]);
  });

  it('are refused on confirmation when the account was archived in the meantime', async () => {
    const page = await preview('Date,Description,Amount\n2026-10-01,Tea,-3.00\n');
    await finance.accounts.update(MEMBER.sub, accountId, { name: 'Checking', archived: true });
    const res = await confirm(page);
    expect(res.status).toBe(400);
    expect(res.body).toContain('archived or no longer exists; nothing was imported');
    expect(await allRows()).toEqual([]);
    expect((await pendingCount())).toBe(0);
  });
});
