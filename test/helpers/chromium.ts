import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { seedDemoData } from '../../src/features/demo/seed.js';
import { createFinance } from '../../src/features/finance.js';
import { MEMBER } from './flows.js';
import { startStack, type Stack } from './stack.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * CI (.ci/run installs Debian's Chromium) always runs the browser tests; a developer machine
 * without Chromium skips them with a notice rather than failing the whole suite.
 */
export const BROWSER_TESTS = fs.existsSync(CHROMIUM) || process.env.CI === 'true';

export function launchChromium(): Promise<Browser> {
  // The flags keep Chromium off the network (this machine has none) and out of the sandbox (root).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * For the surrounding file: the app and its provider (the demo member with a year of data) and
 * one Chromium, started before the tests and closed after. Does nothing where browser tests skip.
 */
export function useBrowserStack(): { stack: Stack; browser: Browser } {
  const ctx = {} as { stack: Stack; browser: Browser };
  beforeAll(async () => {
    if (!BROWSER_TESTS) return;
    ctx.stack = await startStack();
    await seedDemoData(createFinance(ctx.stack.database.db), MEMBER.sub, ctx.stack.clock);
    ctx.browser = await launchChromium();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.stack?.close();
  });
  return ctx;
}

/** Asserts the element is shown, waiting for it briefly: a missing element fails the test. */
export async function expectVisible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: 5000 });
  expect(await locator.first().isVisible()).toBe(true);
}

/** A page that records console errors and CSP violations (except responses the test asks for on purpose). */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Statuses a test asks for on purpose (a 400 page); Chrome logs those responses as console errors. */
  expectedStatuses: number[];
}

export async function watchedPage(browser: Browser, viewport = { width: 1100, height: 800 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const w: WatchedPage = { context, page, problems: [], expectedStatuses: [] };
  page.on('console', (m) => {
    const expected = w.expectedStatuses.some((s) => m.text().includes(`status of ${s}`));
    if ((m.type() === 'error' && !expected) || /Content.Security.Policy/i.test(m.text())) w.problems.push(`${m.type()}: ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => w.problems.push(`page error: ${e.message}`));
  return w;
}
