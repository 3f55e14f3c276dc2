import { all } from '../helpers/sql.js';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formAction, TestBrowser } from '../helpers/browser.js';
import { ADMIN, csrfTokenOf, MEMBER, openLoginPage, signIn, submitCredentials } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('with a provider that ignores acr_values', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ ignoreAcrValues: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('#19 answers the admin area with a 403 page that explains enrolment, after exactly one step-up round trip (no loop)', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack, ADMIN);
    const before = browser.history.length;
    const page = await browser.get(`${stack.baseUrl}/admin`);
    expect(page.status).toBe(403);
    expect(page.url).toBe(`${stack.baseUrl}/admin`);
    expect(page.body).toContain('Multi-factor authentication needed');
    expect(page.body).toContain('authenticator app');
    expect(page.body).not.toContain('Recent security events');
    const hops = browser.history.slice(before);
    expect(hops.filter((p) => p.url.startsWith(`${stack.idp.issuer}/authorize`)).length).toBe(1);
    const authorize = new URL(hops.find((p) => p.url.startsWith(`${stack.idp.issuer}/authorize`))!.url);
    expect(authorize.searchParams.get('acr_values')).toBe('http://schemas.openid.net/pape/policies/2007/06/multi-factor');
    expect(authorize.searchParams.get('max_age')).toBe('900');

    // Opening the page again does not start another round trip.
    const again = await browser.request(`${stack.baseUrl}/admin`);
    expect(again.status).toBe(403);

    // "Try again" is the person's choice; it asks once more and, still without MFA, lands on the same 403.
    const retried = await browser.post(`${stack.baseUrl}/login/step-up`, { _csrf: csrfTokenOf(again), returnTo: '/admin' });
    expect(retried.status).toBe(403);
    expect(retried.url).toBe(`${stack.baseUrl}/admin`);
    const types = ((await all(stack.database, 'SELECT type FROM audit_events WHERE actor_sub = ?', ADMIN.sub)) as Array<{ type: string }>).map((r) => r.type);
    expect(types).toContain('mfa.step_up_failed');
  });
});

describe('MFA_MODE=always', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { MFA_MODE: 'always' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('asks every sign-in for MFA; a member without an authenticator enrols one (key and QR code) and reaches the dashboard', async () => {
    const browser = new TestBrowser();
    const loginPage = await openLoginPage(browser, stack);
    const authorize = new URL(browser.history.find((p) => p.url.startsWith(`${stack.idp.issuer}/authorize`))!.url);
    expect(authorize.searchParams.get('acr_values')).toBe('http://schemas.openid.net/pape/policies/2007/06/multi-factor');

    const enrol = await submitCredentials(browser, stack, loginPage, MEMBER.email, MEMBER.password);
    expect(enrol.url).toContain('/interaction/');
    expect(enrol.body).toContain('Set up an authenticator');
    expect(enrol.body).toContain('<svg');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(enrol.body)![1]!;

    const wrong = await browser.post(new URL(formAction(enrol.body, /\/mfa$/), stack.idp.issuer).href, { code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('That code is not valid');

    const dashboard = await browser.post(new URL(formAction(wrong.body, /\/mfa$/), stack.idp.issuer).href, { code: await generate({ secret }) });
    expect(dashboard.url).toBe(`${stack.baseUrl}/dashboard`);
    expect(dashboard.body).toContain(`Hello, ${MEMBER.name}`);
  });
});
