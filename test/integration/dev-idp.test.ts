import { all, one } from '../helpers/sql.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp } from '../../src/dev-idp/index.js';
import { appPaths } from '../../src/paths.js';
import { formAction, TestBrowser } from '../helpers/browser.js';
import { ADMIN, openLoginPage, signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

function idpOptions(dataDir: string, nodeEnv = 'development') {
  const paths = appPaths();
  return {
    nodeEnv,
    port: 0,
    dataDir,
    viewsDir: paths.views,
    publicDir: paths.public,
    rolesClaim: 'https://coach.example.com/roles',
    socialConnections: ['github'],
    client: () => ({ clientId: 'c', clientSecret: 's', redirectUri: 'http://localhost:1/callback', postLogoutRedirectUri: 'http://localhost:1/' }),
  };
}

describe('embedded identity provider', () => {
  it('serves Auth0 endpoint paths in its discovery document', async () => {
    const d = (await (await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(d.issuer).toBe(stack.idp.issuer);
    expect(d.authorization_endpoint).toBe(`${stack.idp.issuer}/authorize`);
    expect(d.token_endpoint).toBe(`${stack.idp.issuer}/oauth/token`);
    expect(d.userinfo_endpoint).toBe(`${stack.idp.issuer}/userinfo`);
    expect(d.jwks_uri).toBe(`${stack.idp.issuer}/.well-known/jwks.json`);
    expect(d.end_session_endpoint).toBe(`${stack.idp.issuer}/v2/logout`);
  });

  it('puts the roles claim and email_verified in the ID token (the admin arrives with the admin role)', async () => {
    await signIn(new TestBrowser(), stack, ADMIN);
    const row = (await one(stack.database, 'SELECT roles, email_verified FROM users WHERE sub = ?', ADMIN.sub));
    expect(row).toEqual({ roles: '["admin"]', email_verified: 1 });
  });

  it('shows a button per social connection, and each signs in a distinct user with a connection-prefixed sub', async () => {
    const browser = new TestBrowser();
    const loginPage = await openLoginPage(browser, stack);
    expect(loginPage.body).toContain('Continue with Google');
    expect(loginPage.body).toContain('Continue with GitHub');
    const link = /href="([^"]+\/connection\/github)"/.exec(loginPage.body)![1]!;
    const continuePage = await browser.get(new URL(link, stack.idp.issuer).href);
    expect(continuePage.body).toContain('Continue as Kai Octo');
    const landed = await browser.post(new URL(formAction(continuePage.body, /connection\/github$/), stack.idp.issuer).href, {});
    expect(landed.url).toBe(`${stack.baseUrl}/dashboard`);
    expect(landed.body).toContain('Hello, Kai Octo');
    const subs = (await all(stack.database, "SELECT sub FROM users WHERE sub LIKE 'github|%'"));
    expect(subs).toHaveLength(1);
  });

  it("goes straight to the social page when the app passes Auth0's connection parameter", async () => {
    const browser = new TestBrowser();
    const authorize = new URL((await fetch(`${stack.baseUrl}/login`, { redirect: 'manual' })).headers.get('location')!);
    authorize.searchParams.set('connection', 'google-oauth2');
    const page = await browser.get(authorize.href);
    expect(page.url).toContain('/connection/google-oauth2');
    expect(page.body).toContain('Continue as Sam Rivera');
  });

  it('refuses a connection that is not enabled', async () => {
    const authorize = new URL((await fetch(`${stack.baseUrl}/login`, { redirect: 'manual' })).headers.get('location')!);
    authorize.searchParams.set('connection', 'evil-corp');
    const browser = new TestBrowser();
    const page = await browser.get(authorize.href);
    // The provider sends the error back to the app's callback, which shows its generic 400 page.
    const errorHop = browser.history.find((p) => p.url.startsWith(`${stack.baseUrl}/callback?error=invalid_request`));
    expect(errorHop).toBeDefined();
    expect(browser.history.some((p) => p.url.includes('/interaction/'))).toBe(false);
    expect(page.status).toBe(400);
    expect(await browser.cookieValue(stack.baseUrl, 'pfc_session')).toBeUndefined();
  });

  it('refuses to start in production', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-idp-'));
    await expect(startDevIdp(idpOptions(dir, 'production'))).rejects.toThrow(/refuses to start with NODE_ENV=production/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('keeps its signing keys across restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-idp-'));
    const kids = [];
    for (let i = 0; i < 2; i++) {
      const idp = await startDevIdp(idpOptions(dir));
      const jwks = (await (await fetch(`${idp.issuer}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; d?: string }> };
      expect(jwks.keys[0]?.d).toBeUndefined(); // public half only
      kids.push(jwks.keys.map((k) => k.kid));
      await idp.close();
    }
    expect(kids[0]).toEqual(kids[1]);
    expect(fs.statSync(path.join(dir, 'dev-idp', 'keys.json')).mode & 0o077).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
