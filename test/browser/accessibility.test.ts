/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TESTS, useBrowserStack } from '../helpers/chromium.js';
import { ADMIN, DEMO_ADMIN_TOTP_SECRET, MEMBER } from '../helpers/flows.js';
import type { Stack } from '../helpers/stack.js';

const RUN = BROWSER_TESTS;
/** Every main page in light and dark mode, to look at (the journey test saves the flows). */
const SHOTS = path.resolve('test-artifacts/screenshots/pages');

const running = useBrowserStack();
let stack: Stack;
let browser: Browser;
beforeAll(() => {
  ({ stack, browser } = running);
});

/** Serious and critical axe violations on the page, as "rule: target" strings. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

async function signIn(page: Page, user: { email: string; password: string }) {
  await page.goto(`${stack.baseUrl}/login`);
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/dashboard|\/verify-email/);
}

describe.runIf(RUN)('accessibility (axe-core): no serious or critical violation', () => {
  it.each(['light', 'dark'] as const)('on every main page, in %s mode', async (scheme) => {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    const found: Record<string, string[]> = {};
    fs.mkdirSync(SHOTS, { recursive: true });
    const check = async (name: string) => {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home';
      await page.screenshot({ path: path.join(SHOTS, `${scheme}-${slug}.png`), fullPage: true });
      const v = await seriousViolations(page);
      if (v.length) found[name] = v;
    };
    for (const path of ['/', '/signin']) {
      await page.goto(`${stack.baseUrl}${path}`);
      await check(path);
    }
    await page.goto(`${stack.baseUrl}/login`);
    await check('provider login');
    await signIn(page, MEMBER);
    for (const path of ['/dashboard', '/transactions', '/transactions?month=all', '/import', '/budgets', '/goals', '/categories', '/accounts', '/schedules', '/schedules/forecast', '/schedules/suggestions', '/rules', '/rules/apply', '/payees', '/rates', '/data', '/profile', '/help', '/no-such-page']) {
      await page.goto(`${stack.baseUrl}${path}`);
      await check(path);
    }
    // The pages behind a link: a goal's edit page, deleting a category or an account, a bulk change's confirmation.
    for (const [path, link] of [['/goals', 'td[data-label="Goal"] a'], ['/categories', '.category-list a'], ['/accounts', 'a[href$="/edit"]']] as const) {
      await page.goto(`${stack.baseUrl}${path}`);
      await page.locator(link).first().click();
      await check(`${path} (linked page)`);
    }
    await page.goto(`${stack.baseUrl}/transactions`);
    await page.locator('input[name="ids"]').first().check();
    await page.getByRole('button', { name: 'Review change' }).click();
    await check('bulk change confirmation');
    await context.close();

    const admin = await browser.newContext({ colorScheme: scheme });
    const adminPage = await admin.newPage();
    await signIn(adminPage, ADMIN);
    await adminPage.goto(`${stack.baseUrl}/admin`);
    const v = await seriousViolations(adminPage);
    if (v.length) found['provider mfa'] = v;
    await adminPage.getByLabel('Authentication code').fill(await generate({ secret: DEMO_ADMIN_TOTP_SECRET, epoch: (Math.floor(Date.now() / 30_000) + (scheme === 'dark' ? 1 : 0)) * 30 }));
    await adminPage.getByRole('button', { name: 'Verify' }).click();
    await adminPage.waitForURL(/\/admin/);
    const adminV = await seriousViolations(adminPage);
    if (adminV.length) found['/admin'] = adminV;
    await admin.close();
    expect(found).toEqual({});
  }, 90_000);
});

describe.runIf(RUN)('small screens', () => {
  it('lays out the main pages at 360 px wide without horizontal scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await signIn(page, MEMBER);
    const wide: string[] = [];
    for (const path of ['/', '/dashboard', '/transactions', '/budgets', '/goals', '/profile', '/import', '/accounts', '/schedules', '/schedules/forecast', '/rules', '/payees']) {
      await page.goto(`${stack.baseUrl}${path}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 360) wide.push(`${path}: ${width}px`);
    }
    expect(wide).toEqual([]);
    await context.close();
  });
});

describe.runIf(RUN)('keyboard only', () => {
  it('signs in and adds a transaction with the keyboard alone (n jumps to the add form)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/`);
    // Tab to "Sign in", through the sign-in page to "Continue with email".
    const tabTo = async (name: RegExp, max = 250) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        const label = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el ? `${el.getAttribute('aria-label') ?? ''} ${el.textContent ?? ''} ${(el as HTMLInputElement).labels?.[0]?.textContent ?? ''}`.trim() : '';
        });
        if (name.test(label)) return;
      }
      throw new Error(`could not reach ${name} with Tab`);
    };
    await tabTo(/Sign in to get started/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/signin/);
    await tabTo(/Continue with email/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/interaction\//);
    await tabTo(/Email address/);
    await page.keyboard.type(MEMBER.email);
    await tabTo(/Password/);
    await page.keyboard.type(MEMBER.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dashboard/);

    await page.goto(`${stack.baseUrl}/transactions`);
    // The "n" shortcut puts the cursor in the add form's first field, the date.
    await page.keyboard.press('n');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('date');
    await page.keyboard.type('02102026');
    await tabTo(/^Payee$/);
    await page.keyboard.type('Keyboard only purchase');
    await tabTo(/^Amount$/);
    await page.keyboard.type('9.99');
    await tabTo(/Add transaction/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/month=2026-02/);
    expect(await page.getByRole('row', { name: /Keyboard only purchase/ }).count()).toBe(1);
    await context.close();
  });

  it('shows a visible focus ring and a skip link', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/`);
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await skip.evaluate((el) => getComputedStyle(el).left)).not.toBe('-999px');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await context.close();
  });
});
