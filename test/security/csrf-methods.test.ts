import { one } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf, MEMBER, signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Every page and action of the app with what an anonymous client must get. */
const PROTECTED_PAGES = ['/dashboard', '/profile', '/admin', '/verify-email'];
const PROTECTED_POSTS = ['/logout', '/profile/preferences', '/profile/sessions/end-others', '/admin/users/end-sessions', '/verify-email/check', '/login/step-up'];

async function post(browser: TestBrowser, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return browser.request(`${stack.baseUrl}${path}`, {
    method: 'POST',
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}
const displayName = async () => ((await one(stack.database, 'SELECT display_name FROM users WHERE sub = ?', MEMBER.sub)) as { display_name: string | null } | undefined)?.display_name;

describe('#35 every route: anonymous HTML -> login, anonymous JSON -> 401', () => {
  it.each(PROTECTED_PAGES)('GET %s', async (path) => {
    const page = await fetch(`${stack.baseUrl}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/login?returnTo=${encodeURIComponent(path)}`);
    const api = await fetch(`${stack.baseUrl}${path}`, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ status: 401 });
  });

  it.each(PROTECTED_POSTS)('POST %s from an anonymous client changes nothing (401/403)', async (path) => {
    const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: 'sub=auth0%7Cdemo-member' });
    expect([401, 403]).toContain(res.status);
  });
});

describe('#37 records and fields', () => {
  it('ignores extra fields naming another user and refuses a field sent twice (amount=1&amount=1000 style)', async () => {
    const browser = new TestBrowser();
    const page = await signIn(browser, stack);
    const res = await browser.request(`${stack.baseUrl}/profile/preferences`, {
      method: 'POST',
      body: `_csrf=${encodeURIComponent(csrfTokenOf(page))}&displayName=One&displayName=Two&currency=USD`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    const ok = await post(browser, '/profile/preferences', { _csrf: csrfTokenOf(page), displayName: 'Mine', currency: 'USD', userId: 'auth0|demo-admin', sub: 'auth0|demo-admin', isAdmin: 'true' });
    expect(ok.status).toBe(303);
    expect((await displayName())).toBe('Mine');
    expect((await one(stack.database, "SELECT COUNT(*) AS n FROM users WHERE display_name = 'Mine'"))).toEqual({ n: 1 });
  });
});

describe('#38 synchronizer CSRF tokens', () => {
  it('refuses a state-changing POST without a token, with another session\'s token, or with a token from before re-login; accepts a valid one', async () => {
    const mine = new TestBrowser();
    const myPage = await signIn(mine, stack);
    const other = new TestBrowser();
    const otherPage = await signIn(other, stack);
    const before = (await displayName());

    expect((await post(mine, '/profile/preferences', { displayName: 'NoToken', currency: 'USD' })).status).toBe(403);
    expect((await post(mine, '/profile/preferences', { _csrf: csrfTokenOf(otherPage), displayName: 'Stolen', currency: 'USD' })).status).toBe(403);
    expect((await displayName())).toBe(before);

    const oldToken = csrfTokenOf(myPage);
    // Sign in again in the same browser (check again forces a new login): the session and its token are new.
    const verify = await mine.get(`${stack.baseUrl}/profile`);
    await mine.post(`${stack.baseUrl}/verify-email/check`, { _csrf: csrfTokenOf(verify) });
    expect((await post(mine, '/profile/preferences', { _csrf: oldToken, displayName: 'OldToken', currency: 'USD' })).status).toBe(403);

    const fresh = await mine.get(`${stack.baseUrl}/profile`);
    expect(csrfTokenOf(fresh)).not.toBe(oldToken);
    expect((await post(mine, '/profile/preferences', { _csrf: csrfTokenOf(fresh), displayName: 'Valid', currency: 'USD' })).status).toBe(303);
    expect((await displayName())).toBe('Valid');
  });

  it('never puts the token in a URL', async () => {
    const browser = new TestBrowser();
    const page = await signIn(browser, stack);
    const token = csrfTokenOf(page);
    for (const p of browser.history) expect(p.url).not.toContain(token);
    expect(page.body).not.toMatch(/href="[^"]*_csrf/);
  });
});

describe('#39 Fetch Metadata and Origin', () => {
  it.each([
    [{ 'sec-fetch-site': 'cross-site' }],
    [{ 'sec-fetch-site': 'same-site' }],
    [{ origin: 'https://evil.example' }],
    [{ origin: 'null' }],
  ])('refuses an unsafe request with %j even with a valid token', async (headers) => {
    const browser = new TestBrowser();
    const page = await signIn(browser, stack);
    const before = (await displayName());
    const res = await post(browser, '/profile/preferences', { _csrf: csrfTokenOf(page), displayName: 'CrossSite', currency: 'USD' }, headers as Record<string, string>);
    expect(res.status).toBe(403);
    expect((await displayName())).toBe(before);
  });

  it('accepts same-origin requests that say so', async () => {
    const browser = new TestBrowser();
    const page = await signIn(browser, stack);
    const res = await post(browser, '/profile/preferences', { _csrf: csrfTokenOf(page), displayName: 'SameOrigin', currency: 'USD' }, { 'sec-fetch-site': 'same-origin', origin: stack.config.baseUrl });
    expect(res.status).toBe(303);
  });
});

describe('#40 no state change through GET, HEAD or a method override', () => {
  it.each(PROTECTED_POSTS.filter((p) => p !== '/logout'))('GET and HEAD %s change nothing (404, or 403 inside /admin)', async (path) => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const before = (await displayName());
    const sessions = await stack.sessions.listForUser(MEMBER.sub);
    const expected = path.startsWith('/admin') ? 403 : 404;
    expect((await browser.request(`${stack.baseUrl}${path}?displayName=ViaGet&currency=EUR&sub=${encodeURIComponent(MEMBER.sub)}`)).status).toBe(expected);
    expect((await browser.request(`${stack.baseUrl}${path}`, { method: 'HEAD' })).status).toBe(expected);
    expect((await displayName())).toBe(before);
    expect((await stack.sessions.listForUser(MEMBER.sub)).length).toBe(sessions.length);
  });

  it('ignores X-HTTP-Method-Override and _method', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const res = await browser.request(`${stack.baseUrl}/profile/sessions/end-others?_method=POST`, { headers: { 'x-http-method-override': 'POST' } });
    expect(res.status).toBe(404);
    expect((await browser.request(`${stack.baseUrl}/profile`)).status).toBe(200);
  });
});
