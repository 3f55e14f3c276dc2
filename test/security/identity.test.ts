import { all, one } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formAction, TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf, MEMBER, openLoginPage, signIn, UNVERIFIED } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const sessionRows = async () => ((await one(stack.database, 'SELECT COUNT(*) AS n FROM sessions WHERE user_sub = ?', MEMBER.sub)) as { n: number }).n;

describe('social login routes', () => {
  it('#21 starts login with the connection parameter for an allow-listed connection, and nothing else from the query', async () => {
    const res = await fetch(`${stack.baseUrl}/login/github?returnTo=%2Fprofile&redirect_uri=https://evil.example&scope=openid+admin&response_mode=form_post&prompt=none`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location')!);
    expect(url.searchParams.get('connection')).toBe('github');
    expect(url.searchParams.get('redirect_uri')).toBe(`${stack.baseUrl}/callback`);
    expect(url.searchParams.get('scope')).toBe('openid profile email');
    expect(url.searchParams.get('response_mode')).toBeNull();
    expect(url.searchParams.get('prompt')).toBeNull();
    expect([...url.searchParams.keys()].sort()).toEqual(
      ['client_id', 'code_challenge', 'code_challenge_method', 'connection', 'nonce', 'redirect_uri', 'response_type', 'scope', 'state'].sort(),
    );
  });

  it.each(['facebook', 'Username-Password-Authentication', 'github%2F..', 'google-oauth2x'])('#21 answers 404 for the connection %s, which is not enabled', async (name) => {
    const res = await fetch(`${stack.baseUrl}/login/${name}`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(res.headers.get('location')).toBeNull();
  });

  it('shows a sign-in page with a button per configured connection and "continue with email"', async () => {
    const page = await new TestBrowser().get(`${stack.baseUrl}/signin?returnTo=%2Fprofile`);
    expect(page.body).toContain('href="/login/google-oauth2?returnTo=%2Fprofile"');
    expect(page.body).toContain('Continue with Google');
    expect(page.body).toContain('href="/login/github?returnTo=%2Fprofile"');
    expect(page.body).toContain('Continue with GitHub');
    expect(page.body).toContain('href="/login?returnTo=%2Fprofile"');
    expect(page.body).toContain('Continue with email');
  });

  it('#22 signs in through a social button as a distinct user, never linked to another account by email', async () => {
    const browser = new TestBrowser();
    const page = await browser.get(`${stack.baseUrl}/login/google-oauth2`);
    expect(page.body).toContain('Continue as Sam Rivera');
    const landed = await browser.post(new URL(formAction(page.body, /connection\/google-oauth2$/), stack.idp.issuer).href, {});
    expect(landed.url).toBe(`${stack.baseUrl}/dashboard`);
    const row = (await one(stack.database, "SELECT sub FROM users WHERE sub LIKE 'google-oauth2|%'")) as { sub: string };
    expect(row.sub).toMatch(/^google-oauth2\|\d+$/);
  });
});

describe('email verification', () => {
  it('#23 keeps an unverified user on the verification page and away from finance data, until they verify and check again', async () => {
    const browser = new TestBrowser();
    const loginPage = await openLoginPage(browser, stack);
    const { submitCredentials } = await import('../helpers/flows.js');
    const landed = await submitCredentials(browser, stack, loginPage, UNVERIFIED.email, UNVERIFIED.password);
    expect(landed.url).toBe(`${stack.baseUrl}/verify-email`);
    expect(landed.status).toBe(403);
    expect(landed.body).toContain('Verify your email address');
    expect(landed.body).toContain(UNVERIFIED.email);

    const api = await browser.request(`${stack.baseUrl}/dashboard`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(403);
    expect(api.body).not.toContain(UNVERIFIED.name);

    // The verification email sits in the provider's development outbox.
    const outbox = await browser.get(`${stack.idp.issuer}/outbox`);
    const link = new RegExp(`href="([^"]+)">Verify ${UNVERIFIED.email}`).exec(outbox.body)![1]!.replace(/&amp;/g, '&');
    const verified = await browser.get(link);
    expect(verified.body).toContain('Email verified');
    expect((await browser.get(link)).status).toBe(400); // single use

    const verifyPage = await browser.get(`${stack.baseUrl}/verify-email`);
    const dashboard = await browser.post(`${stack.baseUrl}/verify-email/check`, { _csrf: csrfTokenOf(verifyPage) });
    expect(dashboard.url).toBe(`${stack.baseUrl}/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toContain(`Hello, ${UNVERIFIED.name}`);
  });
});

describe('sign-up at the provider', () => {
  it('enforces the password policy it shows, then creates an unverified account and a verification email', async () => {
    const browser = new TestBrowser();
    const loginPage = await openLoginPage(browser, stack);
    const signup = await browser.get(new URL(/href="([^"]+\/signup)"/.exec(loginPage.body)![1]!, stack.idp.issuer).href);
    expect(signup.body).toContain('At least 8 characters, with at least 3 of');
    const action = new URL(formAction(signup.body, /\/signup$/), stack.idp.issuer).href;

    const weak = await browser.post(action, { name: 'Noor New', email: 'noor@example.com', password: 'password1' });
    expect(weak.status).toBe(400);
    expect(weak.body).toContain('uses 2 of the 4 kinds of characters');
    expect(weak.body).toContain('value="noor@example.com"');
    // A common password that meets the character rule is refused too, as Auth0's dictionary does.
    const common = await browser.post(action, { name: 'Noor New', email: 'noor@example.com', password: 'P@ssw0rd2026' });
    expect(common.status).toBe(400);
    expect(common.body).toContain('is too common');
    // And the sign-up page leads back to signing in.
    expect(signup.body).toMatch(/Already have an account\? <a href="\/interaction\/[^"]+">Sign in<\/a>/);

    const taken = await browser.post(action, { name: 'Alex Again', email: MEMBER.email, password: 'Strong-pass-1' });
    expect(taken.body).toContain('already exists');

    const landed = await browser.post(action, { name: 'Noor New', email: 'noor@example.com', password: 'Strong-pass-1' });
    expect(landed.url).toBe(`${stack.baseUrl}/verify-email`);
    const outbox = await browser.get(`${stack.idp.issuer}/outbox`);
    expect(outbox.body).toContain('Verify noor@example.com');
  });
});

describe('back-channel logout', () => {
  it('ends the app session when the user signs out at the provider', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    expect((await sessionRows())).toBeGreaterThan(0);
    const rowsBefore = (await sessionRows());

    // Signing out at the provider directly (as from another app): the provider notifies this app.
    const logoutPage = await browser.get(`${stack.idp.issuer}/v2/logout`);
    const action = /<form[^>]*action="([^"]+)"/.exec(logoutPage.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logoutPage.body)![1]!;
    const done = await browser.post(new URL(action, stack.idp.issuer).href, { xsrf, logout: 'yes' });
    expect(done.body).toContain('Signed out');

    expect((await sessionRows())).toBe(rowsBefore - 1);
    const after = await browser.request(`${stack.baseUrl}/dashboard`, { headers: { accept: 'application/json' } });
    expect(after.status).toBe(401);
    const audit = (await all(stack.database, "SELECT target_sub FROM audit_events WHERE type = 'backchannel.logout'"));
    expect(audit).toContainEqual({ target_sub: MEMBER.sub });
  });

  it('refuses a forged logout token with 400 and keeps the session', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'logout+jwt' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ iss: stack.idp.issuer, aud: stack.config.clientId, sub: MEMBER.sub, iat: Math.floor(Date.now() / 1000), jti: 'x', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }),
    ).toString('base64url');
    const res = await fetch(`${stack.baseUrl}/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: `${header}.${payload}.` }).toString(),
    });
    expect(res.status).toBe(400);
    expect((await browser.request(`${stack.baseUrl}/dashboard`)).status).toBe(200);
  });
});
