import { one } from '../helpers/sql.js';
import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf, MEMBER, signIn } from '../helpers/flows.js';
import { managementToken, openWithStepUp, signUp, type TestPerson } from '../helpers/account.js';
import { startStack, type Stack } from '../helpers/stack.js';

const LIMITED = { clientId: 'reporting-m2m', clientSecret: 'reporting-secret-0123456789abcdef', scopes: ['read:users'] };
let stack: Stack;
let offsetMs = 0;
beforeAll(async () => {
  stack = await startStack({ m2mClients: [LIMITED], idpNow: () => Date.now() + offsetMs });
});
afterAll(async () => {
  await stack?.close();
});

const api = (path: string, init: RequestInit = {}) => fetch(`${stack.idp.issuer}/api/v2${path}`, init);
const bearer = (token: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
const memberPath = `/users/${encodeURIComponent(MEMBER.sub)}`;
const tokenRequest = (body: Record<string, unknown>) =>
  fetch(`${stack.idp.issuer}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe("the development provider's Management API", () => {
  it('#46 refuses a missing, malformed, forged or expired token with 401, as Auth0 does', async () => {
    const missing = await api(memberPath);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ statusCode: 401, message: 'Missing authentication' });
    expect((await api(memberPath, bearer('not-a-jwt'))).status).toBe(401);

    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ scope: 'read:users delete:users' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(`${stack.idp.issuer}/`)
      .setAudience(`${stack.idp.issuer}/api/v2/`)
      .setSubject('evil@clients')
      .setExpirationTime('1h')
      .sign(privateKey);
    const refused = await api(memberPath, bearer(forged, { method: 'DELETE' }));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ message: 'Invalid token' });

    const token = await managementToken(stack, stack.config.management!);
    offsetMs = 25 * 3600_000;
    try {
      const expired = await api(memberPath, bearer(token));
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { message: string }).message).toContain('Expired token');
    } finally {
      offsetMs = 0;
    }
    expect((await api(memberPath, bearer(token))).status).toBe(200);
  });

  it('#46 refuses a token without the scope an endpoint needs with 403 insufficient_scope', async () => {
    const token = await managementToken(stack, LIMITED);
    expect((await api(memberPath, bearer(token))).status).toBe(200);
    for (const [method, path] of [
      ['PATCH', memberPath],
      ['DELETE', memberPath],
      ['DELETE', `${memberPath}/authenticators`],
    ] as const) {
      const res = await api(path, bearer(token, { method, headers: { 'content-type': 'application/json' }, body: method === 'PATCH' ? '{"email":"x@example.com"}' : undefined }));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json()).toMatchObject({ errorCode: 'insufficient_scope' });
    }
    expect((await api(memberPath, bearer(await managementToken(stack, stack.config.management!)))).status).toBe(200); // the member is still there
  });

  it('#46 gives client-credentials tokens only to a known client with its secret, for its API and granted scopes', async () => {
    const base = { grant_type: 'client_credentials', audience: `${stack.idp.issuer}/api/v2/` };
    expect((await tokenRequest({ ...base, client_id: LIMITED.clientId, client_secret: 'wrong' })).status).toBe(401);
    expect((await tokenRequest({ ...base, client_id: 'nobody', client_secret: 'x' })).status).toBe(401);
    const otherApi = await tokenRequest({ ...base, audience: 'https://other.example/api/', client_id: LIMITED.clientId, client_secret: LIMITED.clientSecret });
    expect(otherApi.status).toBe(403);
    const moreScope = await tokenRequest({ ...base, scope: 'read:users delete:users', client_id: LIMITED.clientId, client_secret: LIMITED.clientSecret });
    expect(moreScope.status).toBe(403);
    expect(await moreScope.json()).toMatchObject({ error: 'access_denied' });
    const ok = await tokenRequest({ ...base, client_id: LIMITED.clientId, client_secret: LIMITED.clientSecret });
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', scope: 'read:users', expires_in: 86400 });
    // The app's own client (authorization code only) gets no Management API token.
    expect((await tokenRequest({ ...base, client_id: stack.config.clientId, client_secret: stack.config.clientSecret })).status).toBe(401);
  });

  it('#48 answers change_password the same whether or not the address has an account, and refuses an unknown client or connection', async () => {
    const send = (body: Record<string, unknown>) =>
      fetch(`${stack.idp.issuer}/dbconnections/change_password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const known = await send({ client_id: stack.config.clientId, email: MEMBER.email, connection: 'Username-Password-Authentication' });
    const unknown = await send({ client_id: stack.config.clientId, email: 'nobody@example.com', connection: 'Username-Password-Authentication' });
    expect([known.status, unknown.status]).toEqual([200, 200]);
    expect(await known.text()).toBe(await unknown.text());
    const outbox = await (await fetch(`${stack.idp.issuer}/outbox`)).text();
    expect(outbox).not.toContain('nobody@example.com');
    expect((await send({ client_id: 'evil', email: MEMBER.email, connection: 'Username-Password-Authentication' })).status).toBe(401);
    expect((await send({ client_id: stack.config.clientId, email: MEMBER.email, connection: 'github' })).status).toBe(400);
  });
});

describe('account pages act on the signed-in user only', () => {
  it('#47 ignores a user id sent in the form: removing "another" authenticator removes only your own', async () => {
    const victim: TestPerson = { name: 'Vic Tim', email: 'vic.tim@example.com', password: 'Victim-pass-2026' };
    const victimBrowser = new TestBrowser();
    await signUp(victimBrowser, stack, victim);
    await openWithStepUp(victimBrowser, stack, '/account/mfa', victim);
    const victimSub = ((await one(stack.database, 'SELECT sub FROM users WHERE email = ?', victim.email)) as { sub: string }).sub;

    const attacker: TestPerson = { name: 'At Tacker', email: 'at.tacker@example.com', password: 'Attacker-pass-2026' };
    const browser = new TestBrowser();
    await signUp(browser, stack, attacker);
    const page = await openWithStepUp(browser, stack, '/account/mfa', attacker);
    const own = await browser.post(`${stack.baseUrl}/account/mfa/remove`, { _csrf: csrfTokenOf(page), sub: victimSub, user_id: victimSub });
    expect(own.url).toBe(`${stack.baseUrl}/profile`);
    expect(own.body).toContain('Your authenticator is removed.');
    const token = await managementToken(stack, stack.config.management!);
    const victimAtIdp = (await (await api(`/users/${encodeURIComponent(victimSub)}`, bearer(token))).json()) as Record<string, unknown>;
    expect(victimAtIdp.multifactor).toEqual(['guardian']);
  });

  it('#47 refuses the account pages to anonymous requests and the admin action to members', async () => {
    for (const path of ['/account/password', '/account/email', '/account/mfa/remove', '/account/delete']) {
      const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      expect(res.status, path).toBeGreaterThanOrEqual(401);
      expect(res.status, path).toBeLessThan(404);
    }
    const member = new TestBrowser();
    const page = await signIn(member, stack);
    expect((await member.post(`${stack.baseUrl}/admin/users/remove-mfa`, { _csrf: csrfTokenOf(page), sub: MEMBER.sub })).status).toBe(403);
    // Without a fresh MFA, the member's own destructive POSTs are refused too.
    expect((await member.post(`${stack.baseUrl}/account/delete`, { _csrf: csrfTokenOf(page), confirm: 'DELETE' })).status).toBe(403);
  });
});
