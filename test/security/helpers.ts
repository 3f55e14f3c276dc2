import { one } from '../helpers/sql.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { startHostileIdp, type HostileIdp } from '../helpers/hostile-idp.js';
import { startAppAgainst, type AppStack } from '../helpers/stack.js';

export const CLIENT = { clientId: 'security-test-client', clientSecret: 'security-test-client-secret-0123456789' };

/** Output that would tell an attacker about the implementation. */
export const INTERNALS = /\bat [\w.<>]+ \(|node_modules|\/src\/|\/work\/|Error:|TypeError|express@|v\d+\.\d+\.\d+|openid-client|jose|ERR_/;

export const sessionCount = async (app: AppStack) => ((await one(app.database, 'SELECT COUNT(*) AS n FROM sessions')) as { n: number }).n;

/** Runs a whole login against the hostile provider; returns the final page and the browser. */
export async function loginThroughHostile(app: AppStack, idp: HostileIdp): Promise<{ page: Page; browser: TestBrowser }> {
  const browser = new TestBrowser();
  const page = await browser.get(`${app.baseUrl}/login`);
  return { page, browser };
}

/** A login that must fail: generic 4xx, no session cookie, no session row. */
export async function expectRejectedLogin(app: AppStack, idp: HostileIdp) {
  const before = (await sessionCount(app));
  const { page, browser } = await loginThroughHostile(app, idp);
  expect(page.status).toBeGreaterThanOrEqual(400);
  expect(page.status).toBeLessThan(500);
  expect(page.body).not.toMatch(INTERNALS);
  expect(await browser.cookieValue(app.baseUrl, 'pfc_session')).toBeUndefined();
  expect((await sessionCount(app))).toBe(before);
  return page;
}

/** Starts the hostile provider and an app against it for the surrounding block, and closes both after. */
export function useHostileApp(): { idp: HostileIdp; app: AppStack } {
  const ctx = {} as { idp: HostileIdp; app: AppStack };
  beforeAll(async () => {
    ctx.idp = await startHostileIdp(CLIENT);
    ctx.app = await startAppAgainst(ctx.idp.issuer, CLIENT);
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.idp?.close();
  });
  return ctx;
}
