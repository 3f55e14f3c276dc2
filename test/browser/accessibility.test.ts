/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** What a member reaches from the menu, and a page that does not exist. */
const MEMBER_PAGES = ['/dashboard', '/transactions', '/transactions?month=all', '/import', '/budgets', '/goals', '/categories', '/accounts', '/schedules', '/schedules/forecast', '/schedules/suggestions', '/rules', '/rules/apply', '/payees', '/rates', '/data', '/profile', '/help', '/no-such-page'];
/** The pages behind a link: a goal's edit page, deleting a category, editing an account. */
const LINKED_PAGES = [
  ['/goals', 'td[data-label="Goal"] a'],
  ['/categories', '.category-list a'],
  ['/accounts', 'a[href$="/edit"]'],
] as const;

// A test a page (not one for them all): each has its own time limit, and a failure names the page.
describe.runIf(RUN)('accessibility (axe-core): no serious or critical violation', () => {
  describe.each(['light', 'dark'] as const)('in %s mode', (scheme) => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      context = await browser.newContext({ colorScheme: scheme });
      page = await context.newPage();
    });
    afterAll(async () => {
      await context?.close();
    });
    /** Saves the page to look at, and returns its serious violations. */
    const check = async (name: string) => {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home';
      await page.screenshot({ path: path.join(SHOTS, `${scheme}-${slug}.png`), fullPage: true });
      return seriousViolations(page);
    };

    it.each(['/', '/signin'])('on %s, signed out', async (where) => {
      await page.goto(`${stack.baseUrl}${where}`);
      expect(await check(where)).toEqual([]);
    });

    it("on the provider's login page", async () => {
      await page.goto(`${stack.baseUrl}/login`);
      expect(await check('provider login')).toEqual([]);
    });

    describe('signed in as a member', () => {
      beforeAll(async () => {
        await signIn(page, MEMBER);
      });

      it.each(MEMBER_PAGES)('on %s', async (where) => {
        await page.goto(`${stack.baseUrl}${where}`);
        expect(await check(where)).toEqual([]);
      });

      it.each(LINKED_PAGES)('on the page behind a link on %s', async (where, link) => {
        await page.goto(`${stack.baseUrl}${where}`);
        await page.locator(link).first().click();
        expect(await check(`${where} (linked page)`)).toEqual([]);
      });

      it("on a bulk change's confirmation", async () => {
        await page.goto(`${stack.baseUrl}/transactions`);
        await page.locator('input[name="ids"]').first().check();
        await page.getByRole('button', { name: 'Review change' }).click();
        expect(await check('bulk change confirmation')).toEqual([]);
      });
    });

    it("on the provider's authenticator step and the admin dashboard", async () => {
      const admin = await browser.newContext({ colorScheme: scheme });
      const adminPage = await admin.newPage();
      await signIn(adminPage, ADMIN);
      await adminPage.goto(`${stack.baseUrl}/admin`);
      const found: Record<string, string[]> = {};
      const step = await seriousViolations(adminPage);
      if (step.length) found['provider mfa'] = step;
      // Each mode signs in with a code of its own time step: the provider refuses a code used before.
      await adminPage.getByLabel('Authentication code').fill(await generate({ secret: DEMO_ADMIN_TOTP_SECRET, epoch: (Math.floor(Date.now() / 30_000) + (scheme === 'dark' ? 1 : 0)) * 30 }));
      await adminPage.getByRole('button', { name: 'Verify' }).click();
      await adminPage.waitForURL(/\/admin/);
      const dashboard = await seriousViolations(adminPage);
      if (dashboard.length) found['/admin'] = dashboard;
      await admin.close();
      expect(found).toEqual({});
    });
  });
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
