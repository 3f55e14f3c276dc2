import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const NO_INTERNALS = /at [\w.<>]+ \(|node_modules|\/src\/|Error:|express@|node v?\d/;

describe('pages', () => {
  it('shows an anonymous visitor what the app is and a sign-in button, and creates no session', async () => {
    const browser = new TestBrowser();
    const home = await browser.get(`${stack.baseUrl}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain('Personal Finance Coach');
    expect(home.body).toMatch(/<a class="button primary[^"]*" href="\/signin">/);
    expect(home.headers.getSetCookie()).toEqual([]);
  });

  it('shows a signed-in visitor a link to the dashboard and a sign-out form with a CSRF token', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const home = await browser.get(`${stack.baseUrl}/`);
    expect(home.body).toContain('href="/dashboard"');
    expect(home.body).toMatch(/<form method="post" action="\/logout"[\s\S]*name="_csrf" value="[^"]{20,}"/);
  });

  it('answers an unknown path with the 404 page', async () => {
    const res = await new TestBrowser().get(`${stack.baseUrl}/no-such-page`);
    expect(res.status).toBe(404);
    expect(res.body).toContain('Page not found');
    expect(res.body).toContain('<main id="main"');
  });

  it('answers an unknown path with JSON to an API client', async () => {
    const res = await fetch(`${stack.baseUrl}/nothing/here`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404 });
  });

  it('serves the stylesheet without creating a session', async () => {
    const res = await fetch(`${stack.baseUrl}/styles.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/css');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('serves the currency suggestions as one cacheable fragment, with no session, and the pages only point to it', async () => {
    const res = await fetch(`${stack.baseUrl}/fragments/currency-list.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(res.headers.getSetCookie()).toEqual([]);
    const body = await res.text();
    expect(body).toMatch(/^\s*<datalist id="currency-list">/);
    expect(body).toContain('<option value="EUR">EUR — Euro</option>');
    expect(body.match(/<option /g)?.length).toBeGreaterThan(150);
    // Asked again with its ETag, as a browser revalidates (fetch adds "no-cache" to a conditional request unless told otherwise): not modified, no body.
    const again = await fetch(`${stack.baseUrl}/fragments/currency-list.html`, { headers: { 'if-none-match': res.headers.get('etag')!, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await fetch(`${stack.baseUrl}/fragments/no-such-list.html`)).status).toBe(404);
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const profile = await browser.get(`${stack.baseUrl}/profile`);
    expect(profile.body).toMatch(/<input id="currency" name="currency" list="currency-list" data-suggestions="\/fragments\/currency-list.html"/);
    expect(profile.body).not.toContain('<datalist');
  });

  it('refuses a malformed form body with a 400 page, not a 500', async () => {
    const res = await fetch(`${stack.baseUrl}/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/html' },
      body: '{"broken": ',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toMatch(NO_INTERNALS);
  });
});

describe('callback errors', () => {
  it('answers /callback without a login transaction with a generic 400 and no session', async () => {
    const browser = new TestBrowser();
    const res = await browser.request(`${stack.baseUrl}/callback?code=abc&state=def`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('Bad request');
    expect(res.body).not.toMatch(NO_INTERNALS);
    expect(res.body).not.toContain('auth_verification');
    expect(await browser.cookieValue(stack.baseUrl, 'pfc_session')).toBeUndefined();
  });

  it('escapes an error description from the provider and does not loop', async () => {
    const browser = new TestBrowser();
    await browser.request(`${stack.baseUrl}/login`); // a real transaction cookie
    const res = await browser.request(
      `${stack.baseUrl}/callback?error=access_denied&error_description=${encodeURIComponent('<script>alert(1)</script>')}`,
    );
    expect(res.status).toBe(400);
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('GET /login', () => {
  it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)'])(
    'lands on /dashboard instead of returnTo=%s',
    async (returnTo) => {
      const browser = new TestBrowser();
      const loginPage = await browser.get(`${stack.baseUrl}/login?returnTo=${encodeURIComponent(returnTo)}`);
      expect(loginPage.url.startsWith(stack.idp.issuer)).toBe(true);
      const { submitCredentials, MEMBER } = await import('../helpers/flows.js');
      const landed = await submitCredentials(browser, stack, loginPage, MEMBER.email, MEMBER.password);
      expect(landed.url).toBe(`${stack.baseUrl}/dashboard`);
    },
  );

  it('sends a signed-in user straight to returnTo without another round trip', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const res = await browser.request(`${stack.baseUrl}/login?returnTo=%2F`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
  });

  it('uses a fresh random state, nonce and PKCE challenge on every request', async () => {
    const values = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${stack.baseUrl}/login`, { redirect: 'manual' });
      const p = new URL(res.headers.get('location')!).searchParams;
      values.push([p.get('state'), p.get('nonce'), p.get('code_challenge')]);
      expect(p.get('client_secret')).toBeNull();
      for (const v of values[i]!) expect(v!.length).toBeGreaterThanOrEqual(22); // >= 128 bits in base64url
    }
    for (let j = 0; j < 3; j++) expect(values[0]![j]).not.toBe(values[1]![j]);
  });
});
