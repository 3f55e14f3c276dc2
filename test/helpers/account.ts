import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { formAction, TestBrowser, type Page } from './browser.js';
import { csrfTokenOf, openLoginPage, submitCredentials, totpCode } from './flows.js';
import type { Stack } from './stack.js';

export interface TestPerson {
  name: string;
  email: string;
  password: string;
  /** Set once the person has enrolled an authenticator (by stepUp). */
  totpSecret?: string;
}

/** Signs up at the provider through the app's sign-in; lands on the app's verification page. */
export async function signUp(browser: TestBrowser, stack: Stack, person: TestPerson): Promise<Page> {
  const loginPage = await openLoginPage(browser, stack);
  const signup = await browser.get(new URL(/href="([^"]+\/signup)"/.exec(loginPage.body)![1]!, stack.idp.issuer).href);
  const landed = await browser.post(new URL(formAction(signup.body, /\/signup$/), stack.idp.issuer).href, {
    name: person.name,
    email: person.email,
    password: person.password,
  });
  expect(landed.url).toBe(`${stack.baseUrl}/verify-email`);
  return landed;
}

/** The newest link in the development outbox whose text matches. */
export async function outboxLink(stack: Stack, text: RegExp): Promise<string> {
  const outbox = await (await fetch(`${stack.idp.issuer}/outbox`)).text();
  const m = new RegExp(`href="([^"]+)">${text.source}<`).exec(outbox);
  expect(m, `no outbox link matching ${text}`).not.toBeNull();
  return m![1]!.replace(/&amp;/g, '&');
}

export async function outboxText(stack: Stack): Promise<string> {
  return (await fetch(`${stack.idp.issuer}/outbox`)).text();
}

/** Follows the newest verification link for `email`, then asks the app to check again. */
export async function verifyEmail(browser: TestBrowser, stack: Stack, email: string): Promise<Page> {
  const verified = await browser.get(await outboxLink(stack, new RegExp(`Verify ${email.replace(/[.+]/g, '\\$&')}`)));
  expect(verified.body).toContain('Email verified');
  const verifyPage = await browser.get(`${stack.baseUrl}/verify-email`);
  return browser.post(`${stack.baseUrl}/verify-email/check`, { _csrf: csrfTokenOf(verifyPage) });
}

/**
 * Opens a page that needs a fresh MFA and completes the provider's step: enrols an authenticator
 * when the account has none (remembering its key on `person`), else enters the current code.
 */
export async function openWithStepUp(browser: TestBrowser, stack: Stack, path: string, person: TestPerson): Promise<Page> {
  let page = await browser.get(`${stack.baseUrl}${path}`);
  if (page.url.startsWith(`${stack.baseUrl}${path}`)) return page;
  if (page.body.includes('name="password"')) {
    page = await submitCredentials(browser, stack, page, person.email, person.password);
  }
  expect(page.url).toContain('/interaction/');
  const enrolKey = /id="totp-secret">([A-Z2-7]+)</.exec(page.body)?.[1];
  if (enrolKey) person.totpSecret = enrolKey;
  expect(person.totpSecret, 'the provider asked for a code but no authenticator is known').toBeDefined();
  const landed = await browser.post(new URL(formAction(page.body, /\/mfa$/), stack.idp.issuer).href, { code: await totpCode(person.totpSecret!) });
  expect(landed.url).toBe(`${stack.baseUrl}${path}`);
  return landed;
}

/** Signs in with email and password (no step-up), landing wherever the app sends the person. */
export async function signInAs(browser: TestBrowser, stack: Stack, person: Pick<TestPerson, 'email' | 'password'>, path = '/profile'): Promise<Page> {
  return submitCredentials(browser, stack, await openLoginPage(browser, stack, path), person.email, person.password);
}

/** A Management API token for one of the provider's M2M applications (JSON body, as Auth0 documents). */
export async function managementToken(stack: Stack, client: { clientId: string; clientSecret: string }, scope?: string): Promise<string> {
  const res = await fetch(`${stack.idp.issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, audience: `${stack.idp.issuer}/api/v2/`, ...(scope ? { scope } : {}) }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function idpUser(stack: Stack, sub: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await managementToken(stack, stack.config.management!);
  const res = await fetch(`${stack.idp.issuer}/api/v2/users/${encodeURIComponent(sub)}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export type ProxyMode = 'pass' | 'hang' | 'fail';

/**
 * A real HTTP hop between the app and the provider that can be told to misbehave on the
 * Management API paths: hang (the app's deadline must fire) or answer 500. It counts the token
 * requests it forwards. Set `target` (the provider) before the first request.
 */
export async function startFaultyProxy(): Promise<{ url: string; target: string; mode: ProxyMode; tokenRequests: number; close(): Promise<void> }> {
  const state = { mode: 'pass' as ProxyMode, tokenRequests: 0, target: '' };
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/oauth/token') state.tokenRequests += 1;
    if (path.startsWith('/api/v2/') && state.mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (path.startsWith('/api/v2/') && state.mode === 'fail') {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: 'boom' }));
      return;
    }
    const upstream = http.request(new URL(path, state.target), { method: req.method, headers: { ...req.headers, host: new URL(state.target).host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
