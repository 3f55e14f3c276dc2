import { generate } from 'otplib';
import { expect } from 'vitest';
import { formAction, formField, type Page, type TestBrowser } from './browser.js';
import type { Stack } from './stack.js';

export const MEMBER = { email: 'member@example.com', password: 'Member-demo-2026', name: 'Alex Morgan', sub: 'auth0|demo-member' };
export const ADMIN = { email: 'admin@example.com', password: 'Admin-demo-2026', name: 'Riley Chen', sub: 'auth0|demo-admin' };

/** Opens `path` anonymously and expects to land on the provider's sign-in page. */
export async function openLoginPage(browser: TestBrowser, stack: Stack, path = '/dashboard'): Promise<Page> {
  const page = await browser.get(`${stack.baseUrl}${path}`);
  expect(page.url.startsWith(`${stack.idp.issuer}/interaction/`)).toBe(true);
  expect(page.status).toBe(200);
  return page;
}

/** Submits the provider's email + password form and follows the redirects back into the app. */
export async function submitCredentials(browser: TestBrowser, stack: Stack, loginPage: Page, email: string, password: string): Promise<Page> {
  const action = formAction(loginPage.body, /\/login$/);
  return browser.post(new URL(action, stack.idp.issuer).href, { email, password });
}

export async function signIn(browser: TestBrowser, stack: Stack, user = MEMBER, path = '/dashboard'): Promise<Page> {
  const loginPage = await openLoginPage(browser, stack, path);
  const landed = await submitCredentials(browser, stack, loginPage, user.email, user.password);
  expect(landed.status).toBe(200);
  return landed;
}

export function csrfTokenOf(page: Page): string {
  return formField(page.body, '_csrf');
}

export const UNVERIFIED = { email: 'unverified@example.com', password: 'Unverified-demo-2026', name: 'Sam Pending', sub: 'auth0|demo-unverified' };
export { DEMO_ADMIN_TOTP_SECRET } from '../../src/dev-idp/accounts.js';

const lastStepBySecret = new Map<string, number>();

/**
 * The current TOTP code, as an authenticator app would show it. The provider refuses a time step
 * it has already accepted, so a second code within the same 30 s uses the next step (within the
 * provider's ±1 step tolerance).
 */
export async function totpCode(secret: string): Promise<string> {
  const nowStep = Math.floor(Date.now() / 30_000);
  const step = Math.max(nowStep, (lastStepBySecret.get(secret) ?? -1) + 1);
  if (step > nowStep + 1) throw new Error('more than two TOTP codes within 30 seconds');
  lastStepBySecret.set(secret, step);
  return generate({ secret, epoch: step * 30 });
}

/** Completes the provider's MFA page (TOTP form) and follows the redirects back into the app. */
export async function submitTotp(browser: TestBrowser, stack: Stack, mfaPage: Page, secret: string): Promise<Page> {
  const action = formAction(mfaPage.body, /\/mfa$/);
  return browser.post(new URL(action, stack.idp.issuer).href, { code: await totpCode(secret) });
}
