import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formAction } from '../helpers/browser.js';
import { TestBrowser } from '../helpers/browser.js';
import { MEMBER } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

const PUBLIC_URL = 'https://coach.example.com';

let stack: Stack;
beforeAll(async () => {
  // The app believes it is served at an https origin (as behind a TLS-terminating proxy).
  stack = await startStack({ env: { BASE_URL: PUBLIC_URL } });
});
afterAll(async () => {
  await stack?.close();
});

function attributes(setCookie: string): Record<string, string | true> {
  const [, ...attrs] = setCookie.split(';').map((s) => s.trim());
  return Object.fromEntries(attrs.map((a) => {
    const [k, v] = a.split('=');
    return [k!.toLowerCase(), v ?? true];
  }));
}

describe('#25 cookies when BASE_URL is https', () => {
  it('names the login transaction cookie __Host- and marks it Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const res = await fetch(`${stack.baseUrl}/login`, { redirect: 'manual' });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-pfc_auth='));
    expect(cookie).toBeDefined();
    expect(attributes(cookie!)).toMatchObject({ path: '/', secure: true, httponly: true, samesite: 'Lax' });
    expect(attributes(cookie!).domain).toBeUndefined();
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('issues a __Host- session cookie that is Secure, HttpOnly, SameSite=Lax, host-only, and carries only an opaque id', async () => {
    // Run the flow by hand: the jar would (rightly) not send Secure cookies over the test's plain http.
    const login = await fetch(`${stack.baseUrl}/login`, { redirect: 'manual' });
    const txn = login.headers.getSetCookie().find((c) => c.startsWith('__Host-pfc_auth='))!.split(';')[0]!;

    const idp = new TestBrowser();
    const loginPage = await idp.get(login.headers.get('location')!);
    const action = new URL(formAction(loginPage.body, /\/login$/), stack.idp.issuer).href;
    // Follow the provider's redirects until it sends the browser to the (public) callback URL.
    let res = await idp.request(action, {
      method: 'POST',
      body: new URLSearchParams({ email: MEMBER.email, password: MEMBER.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    while (!res.headers.get('location')!.startsWith(PUBLIC_URL)) {
      res = await idp.request(new URL(res.headers.get('location')!, res.url).href);
    }
    const callback = new URL(res.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${PUBLIC_URL}/callback`);

    const done = await fetch(`${stack.baseUrl}/callback${callback.search}`, { headers: { cookie: txn }, redirect: 'manual' });
    expect(done.status).toBe(302);
    const session = done.headers.getSetCookie().find((c) => c.startsWith('__Host-pfc_session='));
    expect(session).toBeDefined();
    expect(attributes(session!)).toMatchObject({ path: '/', secure: true, httponly: true, samesite: 'Lax' });
    expect(attributes(session!).domain).toBeUndefined();
    const value = decodeURIComponent(session!.split(';')[0]!.split('=')[1]!);
    expect(value.length).toBeLessThan(4096);
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/); // 256-bit random id + HMAC, nothing else

    const dashboard = await fetch(`${stack.baseUrl}/dashboard`, { headers: { cookie: session!.split(';')[0]! } });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain(`Hello, ${MEMBER.name}`);
  });
});
