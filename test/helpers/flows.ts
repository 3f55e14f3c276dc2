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
