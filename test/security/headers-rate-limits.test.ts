import { all, run } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let signedIn: TestBrowser;
beforeAll(async () => {
  stack = await startStack();
  signedIn = new TestBrowser();
  await signIn(signedIn, stack);
});
afterAll(async () => {
  await stack?.close();
});

function expectHardened(headers: Headers, issuer: string) {
  const csp = headers.get('content-security-policy') ?? '';
  const directives: Record<string, string[]> = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  expect(directives['script-src']?.some((v) => /^'nonce-[A-Za-z0-9+/=]{20,}'$/.test(v))).toBe(true);
  expect(csp).not.toContain("'unsafe-inline'");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(directives['object-src']).toEqual(["'none'"]);
  expect(directives['base-uri']).toEqual(["'none'"]);
  expect(directives['frame-ancestors']).toEqual(["'none'"]);
  expect(directives['form-action']).toEqual(["'self'", new URL(issuer).origin]);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('same-origin');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-powered-by')).toBeNull();
  return directives;
}

describe('#41 security headers on every kind of response', () => {
  it.each([
    ['200 page', '/', 200],
    ['302 redirect', '/dashboard', 302],
    ['404 page', '/nope', 404],
    ['405 page', '/logout', 405],
    ['callback error', '/callback?code=x&state=y', 400],
    ['static file', '/styles.css', 200],
    ['health check', '/healthz', 200],
  ])('%s', async (_kind, path, status) => {
    const res = await fetch(`${stack.baseUrl}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(res.status).toBe(status);
    expectHardened(res.headers, stack.idp.issuer);
    const type = res.headers.get('content-type');
    if (type) expect(type).toMatch(/charset=utf-8/i);
  });

  it('a 500 page', async () => {
    const broken = await startStack();
    try {
      const browser = new TestBrowser();
      await signIn(browser, broken);
      await run(broken.database, 'DROP TABLE users');
      const res = await browser.request(`${broken.baseUrl}/dashboard`);
      expect(res.status).toBe(500);
      expectHardened(res.headers, broken.idp.issuer);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toContain('Something went wrong');
      expect(res.body).not.toMatch(/no such table|SqliteError|at .*\(/);
    } finally {
      await broken.close();
    }
  });

  it('uses a new nonce on every response', async () => {
    const a = (await fetch(`${stack.baseUrl}/`)).headers.get('content-security-policy');
    const b = (await fetch(`${stack.baseUrl}/`)).headers.get('content-security-policy');
    expect(a).not.toBe(b);
  });

  it.each(['/dashboard', '/profile', '/'])('marks the signed-in page %s Cache-Control: no-store, with no ETag that would fingerprint it', async (path) => {
    const res = await signedIn.request(`${stack.baseUrl}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
  });

  it('sends HSTS (one year, subdomains) when served over https, and not over http', async () => {
    expect((await fetch(`${stack.baseUrl}/`)).headers.get('strict-transport-security')).toBeNull();
    const https = await startStack({ env: { BASE_URL: 'https://coach.example.com' } });
    try {
      const res = await fetch(`${https.baseUrl}/`);
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await https.close();
    }
  });
});

describe('#42 rate limits', () => {
  let limited: Stack;
  beforeAll(async () => {
    limited = await startStack({ env: { RATE_LIMIT_AUTH_MAX: '3', RATE_LIMIT_POST_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('shares one budget across /login, /login/:connection and /callback: request limit+1 gets a generic 429 page, rate-limit headers, and an audit event per client and window', async () => {
    const paths = ['/login', '/callback?code=x&state=y', '/login/github'];
    for (const path of paths) {
      const res = await fetch(`${limited.baseUrl}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(res.status).not.toBe(429);
    }
    for (const path of [...paths, '/logout']) {
      const res = await fetch(`${limited.baseUrl}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(res.status).toBe(429);
      expect(res.headers.get('ratelimit-policy')).toMatch(/q=3; w=60/);
      expect(res.headers.get('ratelimit')).toBeTruthy();
      expect(res.headers.get('retry-after')).toBeTruthy();
      const body = await res.text();
      expect(body).toContain('Too many requests');
      expect(body).not.toMatch(/at .*\(|express-rate-limit/);
    }
    // Refusals of an anonymous client are not one audit row each: the first in the window is
    // written, the rest counted and written as one row once the window is over.
    const rows = async () => (await all(limited.database, "SELECT detail FROM audit_events WHERE type = 'rate.limited' ORDER BY at")) as Array<{ detail: string }>;
    expect((await rows())).toHaveLength(1);
    limited.clock.set(new Date(limited.clock.now().getTime() + 61_000));
    expect((await fetch(`${limited.baseUrl}/login`, { redirect: 'manual' })).status).toBe(429);
    const after = (await rows()).map((r) => JSON.parse(r.detail) as Record<string, unknown>);
    expect(after).toHaveLength(3);
    expect(after.filter((d) => d.repeated === 3)).toHaveLength(1);
  });

  it('counts every POST, and a spoofed X-Forwarded-For does not reset the count when no proxy is trusted', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${limited.baseUrl}/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `203.0.113.${i}` },
        body: 'logout_token=x',
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
  });
});
