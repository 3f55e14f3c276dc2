import { all } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { ADMIN, csrfTokenOf, DEMO_ADMIN_TOTP_SECRET, signIn, submitTotp } from '../helpers/flows.js';
import type { HostileIdp } from '../helpers/hostile-idp.js';
import { startStack, type AppStack, type Stack } from '../helpers/stack.js';
import { useHostileApp } from './helpers.js';

const PAYLOADS = [
  'https://evil.example',
  '//evil.example',
  '/\\evil.example',
  '/%2F%2Fevil.example',
  '/%5Cevil.example',
  'https:evil.example',
  'javascript:alert(1)',
  '/%0d%0aSet-Cookie:x=y',
  '///evil.example',
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('#20 MFA freshness', () => {
  it('sends an admin whose MFA is older than MFA_MAX_AGE_MINUTES through a new step-up with max_age, which asks for the password again', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack, ADMIN);
    const mfa = await browser.get(`${stack.baseUrl}/admin`);
    expect((await submitTotp(browser, stack, mfa, DEMO_ADMIN_TOTP_SECRET)).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + (stack.config.mfaMaxAgeMinutes + 1) * 60_000);
      const res = await browser.request(`${stack.baseUrl}/admin`);
      expect(res.status).toBe(302);
      const authorize = new URL(res.headers.get('location')!);
      expect(authorize.searchParams.get('max_age')).toBe(String(stack.config.mfaMaxAgeMinutes * 60));
      // The provider's session is older than max_age: it asks for the password, not just the code.
      const page = await browser.get(authorize.href);
      expect(page.body).toContain('name="password"');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('#22 identities are keyed on sub', () => {
  const hostile = useHostileApp();
  let idp: HostileIdp;
  let app: AppStack;
  beforeAll(() => {
    ({ idp, app } = hostile);
  });

  it('keeps two users with the same email but different sub apart; nothing is linked by email', async () => {
    idp.state.extraClaims = { email: 'same@example.com' };
    idp.state.sub = 'google-oauth2|111';
    await new TestBrowser().get(`${app.baseUrl}/login`);
    idp.state.sub = 'auth0|222';
    const second = await new TestBrowser().get(`${app.baseUrl}/login`);
    expect(second.url).toBe(`${app.baseUrl}/dashboard`);
    const rows = (await all(app.database, "SELECT sub FROM users WHERE email = 'same@example.com' ORDER BY sub"));
    expect(rows).toEqual([{ sub: 'auth0|222' }, { sub: 'google-oauth2|111' }]);
    const sessions = (await all(app.database, 'SELECT DISTINCT user_sub FROM sessions'));
    expect(sessions).toHaveLength(2);
  });
});

describe('#24 redirects stay on this origin', () => {
  it.each(PAYLOADS)('login with returnTo=%s lands on a same-origin path', async (payload) => {
    const login = await fetch(`${stack.baseUrl}/login?returnTo=${encodeURIComponent(payload)}`, { redirect: 'manual' });
    const state = JSON.parse(Buffer.from(new URL(login.headers.get('location')!).searchParams.get('state')!, 'base64url').toString()) as { returnTo: string };
    expect(state.returnTo).toBe('/dashboard');
    // And for a signed-in user the redirect itself is the fallback path.
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const res = await browser.request(`${stack.baseUrl}/login?returnTo=${encodeURIComponent(payload)}`);
    expect(res.headers.get('location')).toBe('/dashboard');
  });

  it.each(PAYLOADS)('the step-up retry with returnTo=%s goes back to a same-origin path', async (payload) => {
    const browser = new TestBrowser();
    const page = await signIn(browser, stack, ADMIN);
    const res = await browser.request(`${stack.baseUrl}/login/step-up`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfTokenOf(page), returnTo: payload }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const state = JSON.parse(Buffer.from(new URL(res.headers.get('location')!).searchParams.get('state')!, 'base64url').toString()) as { returnTo: string };
    expect(state.returnTo).toBe('/dashboard');
  });

  it.each(PAYLOADS)('sign-out ignores returnTo=%s and returns to the base URL', async (payload) => {
    const browser = new TestBrowser();
    const page = await signIn(browser, stack);
    const res = await browser.request(`${stack.baseUrl}/logout?returnTo=${encodeURIComponent(payload)}`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfTokenOf(page), returnTo: payload }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.config.baseUrl}/`);
  });
});
