import { one } from '../helpers/sql.js';
import { todayOf } from '../../src/clock/clock.js';
import fs from 'node:fs';
import path from 'node:path';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TESTS, CHROMIUM, expectVisible, useBrowserStack, watchedPage } from '../helpers/chromium.js';
import { ADMIN, DEMO_ADMIN_TOTP_SECRET, MEMBER } from '../helpers/flows.js';
import type { Stack } from '../helpers/stack.js';

/**
 * A person's journey in headless Chromium (Debian's, driven by playwright-core). Every test fails
 * on a console error or a Content-Security-Policy violation, and saves screenshots of the main
 * pages under test-artifacts/screenshots (git-ignored).
 */
const SHOTS = path.resolve('test-artifacts/screenshots');
const RUN = BROWSER_TESTS;
if (!RUN) process.stderr.write(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium).\n`);

const running = useBrowserStack();
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
/** Statuses a test asks for on purpose (a 403 page): pushed onto the watched page's own list. */
let expectedStatuses: number[];

beforeAll(() => {
  ({ stack, browser } = running);
  if (RUN) fs.mkdirSync(SHOTS, { recursive: true });
});

async function newPage() {
  const w = await watchedPage(browser);
  ({ context, page, problems, expectedStatuses } = w);
  return page;
}
afterEach(async () => {
  if (!RUN) return;
  await context?.close();
  expect(problems, 'console errors or CSP violations').toEqual([]);
});

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

async function signInWithPassword(user: { email: string; password: string }, start = '/signin') {
  await page.goto(`${stack.baseUrl}${start}`);
  if (start === '/signin') await page.getByRole('link', { name: 'Continue with email' }).click();
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

let lastStep = 0;
async function enterTotp() {
  const step = Math.max(Math.floor(Date.now() / 30_000), lastStep + 1);
  lastStep = step;
  await page.getByLabel('Authentication code').fill(await generate({ secret: DEMO_ADMIN_TOTP_SECRET, epoch: step * 30 }));
  await page.getByRole('button', { name: 'Verify' }).click();
}

describe.runIf(RUN)('in a real browser', () => {
  it('signs in with email and password through the provider page, sees the dashboard, and signs out to a closed dashboard', async () => {
    await newPage();
    await page.goto(`${stack.baseUrl}/`);
    await shot('home');
    await page.getByRole('link', { name: 'Sign in to get started' }).click();
    await shot('signin');
    await page.getByRole('link', { name: 'Continue with email' }).click();
    await shot('provider-login');
    await page.getByLabel('Email address').fill(MEMBER.email);
    await page.getByLabel('Password').fill(MEMBER.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${stack.baseUrl}/dashboard`);
    await expectVisible(page.getByRole('heading', { name: `Hello, ${MEMBER.name}` }));
    expect(await page.locator('svg.bars').count()).toBeGreaterThan(0);
    expect(await page.getByText('Possible duplicate charge').count()).toBe(1);
    await shot('dashboard');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${stack.baseUrl}/`);
    await page.goto(`${stack.baseUrl}/dashboard`);
    expect(page.url().startsWith(stack.idp.issuer)).toBe(true);
    expect(await page.getByLabel('Password').count()).toBe(1);
  });

  it('signs in with a social button as that connection\'s user', async () => {
    await newPage();
    await page.goto(`${stack.baseUrl}/signin`);
    await page.getByRole('link', { name: 'Continue with GitHub' }).click();
    await shot('provider-social');
    await page.getByRole('button', { name: /Continue as/ }).click();
    await page.waitForURL(`${stack.baseUrl}/dashboard`);
    expect(await page.getByRole('heading', { name: 'Hello, Kai Octo' }).count()).toBe(1);
  });

  it('takes an admin through the TOTP step-up to /admin, and shows a member the 403 page', async () => {
    await newPage();
    await signInWithPassword(ADMIN);
    await page.waitForURL(`${stack.baseUrl}/dashboard`);
    // Admin sits under "More" in the navigation.
    await page.locator('.nav-more summary').click();
    await page.locator('.nav-more').getByRole('link', { name: 'Admin' }).click();
    await shot('provider-mfa');
    await enterTotp();
    await page.waitForURL(`${stack.baseUrl}/admin`);
    expect(await page.getByRole('heading', { name: 'Recent security events' }).count()).toBe(1);
    await shot('admin');
    await context.close();

    await newPage();
    await signInWithPassword(MEMBER);
    await page.waitForURL(`${stack.baseUrl}/dashboard`);
    expectedStatuses.push(403);
    const res = await page.goto(`${stack.baseUrl}/admin`);
    expect(res?.status()).toBe(403);
    expect(await page.getByRole('heading', { name: 'Access denied' }).count()).toBe(1);
    await shot('forbidden');
  });

  it('adds, edits and deletes a transaction', async () => {
    await newPage();
    await signInWithPassword(MEMBER, '/transactions');
    await page.waitForURL(/\/transactions/);
    await page.getByLabel('Date', { exact: true }).fill('2026-01-15');
    await page.getByLabel('Payee').fill('Browser test bakery');
    await page.getByLabel('Amount', { exact: true }).fill('12.34');
    await page.getByRole('button', { name: 'Add transaction' }).click();
    await page.waitForURL(/month=2026-01/);
    await shot('transactions');
    const row = page.getByRole('row', { name: /Browser test bakery/ });
    expect(await row.getByText('-$12.34').count()).toBe(1);

    await row.getByRole('link', { name: /Edit/ }).click();
    await page.getByLabel('Payee').fill('Browser test bakery (edited)');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/month=2026-01/);
    const edited = page.getByRole('row', { name: /bakery \(edited\)/ });
    await edited.getByRole('link', { name: /Delete/ }).click();
    await shot('transaction-delete');
    await page.getByRole('button', { name: 'Delete transaction' }).click();
    await page.waitForURL(/month=2026-01/);
    expect(await page.getByRole('row', { name: /Browser test bakery/ }).count()).toBe(0);
    await expectVisible(page.getByRole('status').getByText('Deleted Browser test bakery (edited) on 2026-01-15.'));
  });

  it('imports a CSV through the preview', async () => {
    await newPage();
    await signInWithPassword(MEMBER, '/import');
    await page.waitForURL(/\/import/);
    await page.getByLabel('File (CSV, OFX or QFX, up to 5 MB)').setInputFiles({
      name: 'statement.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Date,Description,Amount\n2025-01-05,Browser import one,-10.00\n2025-01-06,Browser import two,-20.00\n'),
    });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.waitForURL(/\/import\/preview/);
    await shot('import-preview');
    expect(await page.getByText('2 rows read, 0 already imported (skipped), 2 new.').count()).toBe(1);
    await page.getByRole('button', { name: 'Import 2 transactions' }).click();
    expect(await page.getByText('Imported 2 transactions').count()).toBe(1);
  });

  it('exports data after a step-up', async () => {
    await newPage();
    await signInWithPassword(ADMIN);
    await page.waitForURL(`${stack.baseUrl}/dashboard`);
    await page.goto(`${stack.baseUrl}/data`);
    await enterTotp();
    await page.waitForURL(`${stack.baseUrl}/data`);
    await shot('data');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download JSON' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^personal-finance-coach-\d{4}-\d\d-\d\d\.json$/);
  });

  it('signs up, sets up an authenticator at the step-up, and deletes the account for good', async () => {
    await newPage();
    await page.goto(`${stack.baseUrl}/profile`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Jo Leaving');
    await page.getByLabel('Email address').fill('jo.leaving@example.com');
    await page.getByLabel('Password').fill('Leaving-pass-2026');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${stack.baseUrl}/profile`);
    await page.getByRole('link', { name: 'Delete my account' }).click();
    // No authenticator yet: the step-up sets one up, with the key shown for typing in.
    const key = (await page.locator('#totp-secret').textContent())!.trim();
    await page.getByLabel('Code from the app').fill(await generate({ secret: key }));
    await page.getByRole('button', { name: 'Finish set-up' }).click();
    await page.waitForURL(`${stack.baseUrl}/account/delete`);
    await page.getByLabel('Type DELETE to confirm').fill('DELETE');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Your account is deleted' }));
    await shot('account-deleted');
    await page.goto(`${stack.baseUrl}/dashboard`);
    await page.waitForURL(/\/interaction\//);
    expect((await one(stack.database, "SELECT count(*) AS n FROM users WHERE email = 'jo.leaving@example.com'"))).toEqual({ n: 0 });
  });

  it('reconciles an account against a statement from the accounts page', async () => {
    await newPage();
    await signInWithPassword(MEMBER);
    await page.waitForURL(`${stack.baseUrl}/dashboard`);
    await page.goto(`${stack.baseUrl}/accounts`);
    await expectVisible(page.getByRole('heading', { name: 'Net worth, last 12 months' }));
    await page.getByRole('link', { name: 'Reconcile Everyday checking' }).click();
    await page.getByLabel('Statement balance (USD)').fill('0');
    await page.getByRole('button', { name: 'Compare' }).click();
    // Take the cleared balance the page computed as the statement's, as if the bank agreed.
    const cleared = (await page.locator('dt:text-is("Cleared balance here") + dd').textContent())!.replace(/[$,]/g, '').trim();
    await page.getByLabel('Statement balance (USD)').fill(cleared);
    await page.getByRole('button', { name: 'Compare' }).click();
    await expectVisible(page.getByText('The cleared balance matches the statement.'));
    await shot('reconcile');
    await page.getByRole('button', { name: 'Finish: mark them reconciled' }).click();
    await page.waitForURL(/\/accounts$/);
    await expectVisible(page.getByRole('status').getByText(/Reconciled .+: \d+ transactions? marked/));
  });

  it('moves money to savings, splits a grocery run, and enters a due schedule from the dashboard', async () => {
    await newPage();
    await signInWithPassword(MEMBER, '/transactions');
    await page.waitForURL(`${stack.baseUrl}/transactions`);
    const add = page.locator('#add-transaction');
    await add.getByLabel('Payee').fill('Move to savings');
    await add.getByLabel('Transfer between my accounts').check();
    await add.getByLabel('Amount', { exact: true }).fill('125.00');
    await add.getByLabel('Account', { exact: true }).selectOption({ label: 'Everyday checking (USD)' });
    await add.getByLabel('To account').selectOption({ label: 'Savings (USD)' });
    await add.getByRole('button', { name: 'Add transaction' }).click();
    await expectVisible(page.getByRole('cell', { name: 'Transfer to Savings' }).first());
    await expectVisible(page.getByRole('cell', { name: 'Transfer from Everyday checking' }).first());

    // The parts will not add up at first: a 400 page, asked for.
    expectedStatuses.push(400);
    await add.getByLabel('Payee').fill('Big shop');
    await add.getByLabel('Amount', { exact: true }).fill('90.00');
    await add.getByText('Split across categories').click();
    await add.getByLabel('Part 1 category').selectOption({ label: 'Groceries' });
    await add.getByLabel('Part 1 amount').fill('60.00');
    await add.getByLabel('Part 2 category').selectOption({ label: 'Shopping' });
    await add.getByLabel('Part 2 amount').fill('20.00');
    await add.getByRole('button', { name: 'Add transaction' }).click();
    await expectVisible(page.getByText('The parts add up to $80.00, not $90.00: $10.00 is not in any part.'));
    await page.locator('#add-transaction').getByLabel('Part 2 amount').fill('30.00');
    await page.locator('#add-transaction').getByRole('button', { name: 'Add transaction' }).click();
    await expectVisible(page.getByRole('cell', { name: /Split \(2\)/ }).first());
    await shot('transfer-and-split');

    // A schedule due today: entered from the dashboard with one click.
    await page.goto(`${stack.baseUrl}/schedules`);
    const form = page.locator('form[action="/schedules"]').last();
    await form.getByLabel('Payee').fill('Window cleaner');
    await form.getByLabel('Amount').fill('40.00');
    await form.getByLabel('Next date').fill(todayOf(stack.clock));
    await form.getByRole('button', { name: 'Add schedule' }).click();
    await page.goto(`${stack.baseUrl}/dashboard`);
    await page.getByRole('button', { name: new RegExp(`Enter Window cleaner for ${todayOf(stack.clock)}`) }).click();
    await expectVisible(page.getByRole('status').getByText(`Entered Window cleaner on ${todayOf(stack.clock)}.`));
  });
});
