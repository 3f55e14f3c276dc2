/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TESTS, expectVisible, useBrowserStack, watchedPage, type WatchedPage } from '../helpers/chromium.js';
import { MEMBER } from '../helpers/flows.js';
import type { Stack } from '../helpers/stack.js';

/**
 * The everyday jobs as a person does them in headless Chromium: find, fix in bulk and undo an
 * import, plan the month, edit a goal, a cancelled sign-in, and the pages at phone width. Each
 * test fails on a console error or a CSP violation. The stack's clock says 2026-11-18.
 */
const RUN = BROWSER_TESTS;
/** The pages at phone width, to look at (git-ignored). */
const NARROW_SHOTS = path.resolve('test-artifacts/screenshots/narrow');
const running = useBrowserStack();
let stack: Stack;
let w: WatchedPage;
let page: Page;
beforeAll(() => {
  ({ stack } = running);
});
afterEach(async () => {
  if (!RUN) return;
  await w?.context.close();
  expect(w.problems, 'console errors or CSP violations').toEqual([]);
});

async function signedIn(viewport?: { width: number; height: number }): Promise<Page> {
  w = await watchedPage(running.browser, viewport);
  page = w.page;
  await page.goto(`${stack.baseUrl}/login`);
  await page.getByLabel('Email address').fill(MEMBER.email);
  await page.getByLabel('Password').fill(MEMBER.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/dashboard/);
  return page;
}

const flash = () => page.locator('.flash');

describe.runIf(RUN)('everyday jobs in a real browser', () => {
  it('pages through every transaction, sorts by amount, and finds by typing after "/"', async () => {
    await signedIn();
    await page.goto(`${stack.baseUrl}/transactions`);
    await page.getByLabel('Dates').selectOption('all');
    await page.getByRole('button', { name: 'Show' }).click();
    await expectVisible(page.getByRole('heading', { name: /transactions in all dates/ }));
    expect(await page.locator('input[name="ids"]').count()).toBe(100);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next' }).click();
    await expectVisible(page.getByText(/^Showing 101–200 of/));
    await page.getByRole('link', { name: 'Amount' }).click();
    await expect.poll(() => page.locator('th[aria-sort="descending"]').textContent()).toContain('Amount');
    // "/" from anywhere on the page puts the cursor in the search box.
    await page.locator('h1').click();
    await page.keyboard.press('/');
    await page.keyboard.type('payroll');
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('heading', { name: /transactions? found in all dates/ }));
    const payees = await page.locator('td[data-label="Payee"]').allTextContents();
    expect(payees.length).toBeGreaterThan(0);
    expect(payees.every((p) => /payroll/i.test(p))).toBe(true);
  });

  it('imports a file, re-categorises everything it brought in one confirmed step, then undoes the import', async () => {
    await signedIn();
    await page.goto(`${stack.baseUrl}/import`);
    const csv = ['Date,Description,Amount', ...Array.from({ length: 12 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')},Corner Bakery ${i},-4.50`)].join('\n');
    await page.getByLabel('File (CSV, OFX or QFX, up to 5 MB)').setInputFiles({ name: 'bakery.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('button', { name: 'Import 12 transactions' }).click();
    await expectVisible(flash().getByText('Imported 12 transactions.'));
    await expectVisible(page.getByRole('cell', { name: 'bakery.csv' }));

    await page.goto(`${stack.baseUrl}/transactions?month=2026-11`);
    await page.getByLabel('Search').fill('corner bakery');
    await page.getByRole('button', { name: 'Show' }).click();
    await expectVisible(page.getByRole('heading', { name: '12 transactions found in Nov 2026' }));
    const bulk = page.getByRole('form', { name: 'Change several transactions' });
    await bulk.getByLabel('Change', { exact: true }).selectOption('filter');
    await bulk.getByLabel('to', { exact: true }).selectOption('category');
    await bulk.getByLabel('Category', { exact: true }).selectOption({ label: 'Dining out' });
    await bulk.getByRole('button', { name: 'Review change' }).click();
    await expectVisible(page.getByText('Put 12 transactions in Dining out?'));
    await page.getByRole('button', { name: 'Yes, change 12' }).click();
    await expectVisible(flash().getByText('Put 12 transactions in Dining out.'));
    expect(await page.locator('td[data-label="Category"]').allTextContents()).toEqual(Array(12).fill('Dining out'));

    await page.goto(`${stack.baseUrl}/import`);
    await page.getByRole('button', { name: /Undo import of bakery.csv/ }).click();
    await expectVisible(flash().getByText('Removed the import of bakery.csv: 12 transactions deleted.'));
    await page.goto(`${stack.baseUrl}/transactions?month=2026-11&q=corner+bakery`);
    await expectVisible(page.getByText('No transactions match this search and these filters.'));
  });

  it("copies last month's budgets into this month, saves, and stays on the budgets page", async () => {
    await signedIn();
    await page.goto(`${stack.baseUrl}/budgets?month=2026-11`);
    await page.getByRole('link', { name: 'Next month, Dec 2026' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Dec 2026' }));
    const groceries = page.getByLabel('Groceries', { exact: true });
    await groceries.fill('');
    await page.getByRole('button', { name: 'Copy Nov 2026' }).click();
    await expectVisible(page.getByText("Filled in with Nov 2026's budgets."));
    const copied = await page.getByLabel('Groceries', { exact: true }).inputValue();
    expect(copied).toMatch(/^\d+\.\d\d$/);
    await page.getByRole('button', { name: 'Save budgets' }).click();
    await expectVisible(flash().getByText('Saved the budgets for Dec 2026.'));
    expect(page.url()).toContain('/budgets?month=2026-12');
    expect(await page.getByLabel('Groceries', { exact: true }).inputValue()).toBe(copied);
    await expectVisible(page.getByText('Still to assign').or(page.getByText('Budgeted beyond income')));
  });

  it('edits a goal and records a contribution to it', async () => {
    await signedIn();
    await page.goto(`${stack.baseUrl}/goals`);
    const goalLink = page.locator('td[data-label="Goal"] a').first();
    const name = (await goalLink.textContent())!.replace(' (edit)', '').trim();
    await goalLink.click();
    await page.getByLabel('Target amount').fill('7,500.00');
    await page.getByRole('button', { name: 'Save goal' }).click();
    await expectVisible(flash().getByText(`Saved the goal ${name}.`));
    await expectVisible(page.getByRole('cell', { name: '$7,500.00' }));
    await page.getByLabel(`Amount to put towards ${name}`).fill('25');
    await page.getByRole('button', { name: `Add to ${name}` }).click();
    await expectVisible(flash().getByText(`Added $25.00 to ${name}.`));
  });

  it('suggests currencies from the shared list on the profile page and saves one typed by name', async () => {
    await signedIn();
    await page.goto(`${stack.baseUrl}/profile`);
    // The suggestions arrive from the cached fragment after the page is shown.
    await expect.poll(() => page.locator('datalist#currency-list option').count()).toBeGreaterThan(150);
    expect(await page.locator('datalist#currency-list option[value="EUR"]').textContent()).toBe('EUR — Euro');
    expect(await page.getByLabel('Currency', { exact: true }).evaluate((input) => (input as HTMLInputElement).list?.id)).toBe('currency-list');
    await page.getByLabel('Currency', { exact: true }).fill('US Dollar');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expectVisible(flash().getByText('Your preferences are saved.'));
    expect(await page.getByLabel('Currency', { exact: true }).inputValue()).toBe('USD');
  });

  it('a sign-in cancelled at the provider lands on the sign-in page saying so', async () => {
    w = await watchedPage(running.browser);
    page = w.page;
    w.expectedStatuses.push(400);
    await page.goto(`${stack.baseUrl}/login`);
    await page.goto(`${stack.baseUrl}/callback?error=access_denied&error_description=User+cancelled&state=x`);
    await expectVisible(page.getByText('Sign-in was cancelled.'));
    await page.getByRole('link', { name: 'Continue with email' }).click();
    await expectVisible(page.getByLabel('Email address'));
  });

  it.each([375, 390])('every main page fits %i px without sideways scrolling, reaches every area through the menu, and keeps chart labels readable', async (width) => {
    await signedIn({ width, height: 800 });
    fs.mkdirSync(NARROW_SHOTS, { recursive: true });
    const wide: string[] = [];
    const small: string[] = [];
    for (const where of ['/dashboard', '/transactions', '/transactions?month=all', '/accounts', '/budgets', '/goals', '/schedules', '/schedules/forecast', '/import', '/categories', '/rules', '/payees', '/rates', '/data', '/profile', '/help']) {
      await page.goto(`${stack.baseUrl}${where}`);
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      if (scroll > width) wide.push(`${where}: ${scroll}px`);
      if (width === 375) await page.screenshot({ path: path.join(NARROW_SHOTS, `${where.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.png`), fullPage: true });
      // Every chart label as drawn on screen: its font size times the SVG's scale.
      const sizes = await page.evaluate(() =>
        Array.from(document.querySelectorAll("svg text")).map((t) => {
          const m = (t as SVGTextElement).getScreenCTM();
          return (m ? m.a : 1) * parseFloat(getComputedStyle(t).fontSize);
        }),
      );
      for (const s of sizes) if (s < 11) small.push(`${where}: ${s.toFixed(1)}px`);
    }
    expect(wide).toEqual([]);
    expect([...new Set(small)]).toEqual([]);
    await page.goto(`${stack.baseUrl}/dashboard`);
    await page.getByText('Menu', { exact: true }).click();
    const menu = page.locator('.nav-menu');
    for (const area of ['Import', 'Accounts', 'Categories', 'Data']) await expectVisible(menu.getByRole('link', { name: area, exact: true }));
    await menu.getByRole('link', { name: 'Categories', exact: true }).click();
    await expectVisible(page.getByRole('heading', { name: 'Categories', level: 1 }));
  });
});
