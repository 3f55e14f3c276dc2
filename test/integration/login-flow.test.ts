import { all, one } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf, MEMBER, openLoginPage, signIn, submitCredentials } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function sessionRows(): Promise<Array<{ id: string; user_sub: string | null }>> {
  return (await all(stack.database, 'SELECT id, user_sub FROM sessions')) as Array<{ id: string; user_sub: string | null }>;
}

describe('sign-in through the embedded identity provider (authorization code flow)', () => {
  it('takes an anonymous visitor of /dashboard through the provider login page and back to the dashboard with their name', async () => {
    const browser = new TestBrowser();
    const loginPage = await openLoginPage(browser, stack, '/dashboard');
    expect(loginPage.body).toContain('name="password"');

    const authorize = browser.history.find((p) => p.url.startsWith(`${stack.idp.issuer}/authorize`));
    const params = new URL(authorize!.url).searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('scope')).toBe('openid profile email');
    expect(params.get('redirect_uri')).toBe(`${stack.baseUrl}/callback`);

    const dashboard = await submitCredentials(browser, stack, loginPage, MEMBER.email, MEMBER.password);
    expect(dashboard.url).toBe(`${stack.baseUrl}/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toContain(`Hello, ${MEMBER.name}`);
    expect(dashboard.body).toContain(MEMBER.email);
    expect(dashboard.headers.get('cache-control')).toBe('no-store');
  });

  it('keeps only an opaque signed id in the cookie and the session itself in the store, owned by the user', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const cookie = await browser.cookieValue(stack.baseUrl, 'pfc_session');
    expect(cookie).toBeDefined();
    expect(cookie!.length).toBeLessThan(200);
    expect(cookie).not.toContain('eyJ'); // no JWT, no encoded JSON
    const [id] = decodeURIComponent(cookie!).split('.');
    const row = (await sessionRows()).find((r) => r.id === id);
    expect(row?.user_sub).toBe(MEMBER.sub);
  });

  it('records the user keyed on the provider sub with email, name, verification and roles', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const user = (await one(stack.database, 'SELECT * FROM users WHERE sub = ?', MEMBER.sub)) as Record<string, unknown>;
    expect(user).toMatchObject({ sub: MEMBER.sub, email: MEMBER.email, name: MEMBER.name, email_verified: 1, roles: '[]' });
    expect(typeof user.first_seen_at).toBe('string');
    expect(typeof user.last_login_at).toBe('string');
  });

  it('returns to the page that was asked for before sign-in', async () => {
    const browser = new TestBrowser();
    const landed = await signIn(browser, stack, MEMBER, '/dashboard?tab=overview');
    expect(landed.url).toBe(`${stack.baseUrl}/dashboard?tab=overview`);
  });

  it('shows the provider error on a wrong password and creates no app session', async () => {
    const browser = new TestBrowser();
    const before = (await sessionRows()).length;
    const loginPage = await openLoginPage(browser, stack);
    const result = await submitCredentials(browser, stack, loginPage, MEMBER.email, 'not-the-password');
    expect(result.status).toBe(401);
    expect(result.url.startsWith(stack.idp.issuer)).toBe(true);
    expect(result.body).toContain('Wrong email or password.');
    expect(await browser.cookieValue(stack.baseUrl, 'pfc_session')).toBeUndefined();
    expect((await sessionRows()).length).toBe(before);
    const dashboard = await browser.request(`${stack.baseUrl}/dashboard`);
    expect(dashboard.status).toBe(302);
  });
});

describe('sign-out', () => {
  it('deletes the store row, signs out at the provider, and leaves the old cookie worthless', async () => {
    const browser = new TestBrowser();
    const dashboard = await signIn(browser, stack);
    const oldCookie = await browser.cookieValue(stack.baseUrl, 'pfc_session');
    const [id] = decodeURIComponent(oldCookie!).split('.');
    expect((await sessionRows()).some((r) => r.id === id)).toBe(true);

    const logout = await browser.request(`${stack.baseUrl}/logout`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfTokenOf(dashboard) }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(logout.status).toBe(302);
    const location = new URL(logout.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${stack.idp.issuer}/v2/logout`);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.baseUrl}/`);
    expect((await sessionRows()).some((r) => r.id === id)).toBe(false);

    // Replaying the old cookie: anonymous.
    const replay = await fetch(`${stack.baseUrl}/dashboard`, {
      headers: { cookie: `pfc_session=${oldCookie}`, accept: 'application/json' },
      redirect: 'manual',
    });
    expect(replay.status).toBe(401);
  });

  it('refuses a sign-out POST without the CSRF token and keeps the session', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const res = await browser.request(`${stack.baseUrl}/logout`, {
      method: 'POST',
      body: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(403);
    expect((await browser.request(`${stack.baseUrl}/dashboard`)).status).toBe(200);
  });

  it('does not sign out on a GET', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const res = await browser.request(`${stack.baseUrl}/logout`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await browser.request(`${stack.baseUrl}/dashboard`)).status).toBe(200);
  });
});

describe('sign-out at the identity provider', () => {
  it('ends the provider session too, returning to the home page, so the next sign-in asks for the password again', async () => {
    const browser = new TestBrowser();
    const dashboard = await signIn(browser, stack);
    const providerLogout = await browser.post(`${stack.baseUrl}/logout`, { _csrf: csrfTokenOf(dashboard) });
    // The provider's page submits its own form at once (a script file); a person without scripts presses the button.
    expect(providerLogout.url.startsWith(`${stack.idp.issuer}/v2/logout`)).toBe(true);
    expect(providerLogout.body).toContain('<script src="/assets/logout.js"');
    const action = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"/.exec(providerLogout.body)?.[1]
      ?? /<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"/.exec(providerLogout.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(providerLogout.body)![1]!;
    const home = await browser.post(new URL(action, stack.idp.issuer).href, { xsrf, logout: 'yes' });
    expect(home.url).toBe(`${stack.baseUrl}/`);
    expect(home.body).toContain('href="/signin"');

    const again = await browser.get(`${stack.baseUrl}/dashboard`);
    expect(again.url.startsWith(`${stack.idp.issuer}/interaction/`)).toBe(true);
    expect(again.body).toContain('name="password"');
  });
});
