import { all, one } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_TABLES } from '../../src/features/data/repository.js';
import { createFinance } from '../../src/features/finance.js';
import { formAction, TestBrowser, formField } from '../helpers/browser.js';
import { ADMIN, csrfTokenOf, DEMO_ADMIN_TOTP_SECRET, MEMBER, signIn } from '../helpers/flows.js';
import { idpUser, openWithStepUp, outboxLink, outboxText, signInAs, signUp, verifyEmail, type TestPerson } from '../helpers/account.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
/** Moves the provider's clock (link expiry) without touching anything else. */
let idpOffsetMs = 0;
beforeAll(async () => {
  stack = await startStack({ idpNow: () => Date.now() + idpOffsetMs });
});
afterAll(async () => {
  await stack?.close();
});

const subOf = async (email: string) => ((await one(stack.database, 'SELECT sub FROM users WHERE email = ?', email)) as { sub: string } | undefined)?.sub;
const auditTypes = async (sub: string) =>
  ((await all(stack.database, 'SELECT type FROM audit_events WHERE actor_sub = ? OR target_sub = ? ORDER BY at', sub, sub)) as Array<{ type: string }>).map((r) => r.type);

describe('change password', () => {
  it('emails a reset link once per 5 minutes; the link sets a policy-checked password once, and the new password signs in', async () => {
    const person: TestPerson = { name: 'Pat Reset', email: 'pat.reset@example.com', password: 'Old-pass-2026' };
    const browser = new TestBrowser();
    await signUp(browser, stack, person);
    const profile = await browser.get(`${stack.baseUrl}/profile`);
    expect(profile.body).toContain('Change password');
    const sent = await browser.post(`${stack.baseUrl}/account/password`, { _csrf: csrfTokenOf(profile) });
    expect(sent.url).toBe(`${stack.baseUrl}/profile`);
    expect(sent.body).toContain('email you a link for choosing a new password');
    expect(sent.body).toContain('email you a link for choosing a new password');

    const again = await browser.post(`${stack.baseUrl}/account/password`, { _csrf: csrfTokenOf(profile) });
    expect(again.status).toBe(429);
    expect(again.body).toContain('less than 5 minutes ago');
    expect((await outboxText(stack)).match(/Reset the password of pat\.reset@example\.com/g)).toHaveLength(1);
    expect((await auditTypes((await subOf(person.email))!))).toContain('password.reset_requested');

    const link = await outboxLink(stack, /Reset the password of pat\.reset@example\.com/);
    const form = await browser.get(link);
    expect(form.status).toBe(200);
    expect(form.headers.get('referrer-policy')).toBe('no-referrer');
    const action = new URL(formAction(form.body, /reset-password$/), stack.idp.issuer).href;
    const ticket = formField(form.body, 'ticket');
    const weak = await browser.post(action, { ticket, password: 'weakpass', confirm: 'weakpass' });
    expect(weak.status).toBe(400);
    expect(weak.body).toContain('uses 1 of the 4 kinds of characters');
    const mismatch = await browser.post(action, { ticket, password: 'New-pass-2026', confirm: 'New-pass-2027' });
    expect(mismatch.body).toContain('not the same');
    const done = await browser.post(action, { ticket, password: 'New-pass-2026', confirm: 'New-pass-2026' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Password changed');
    expect((await browser.get(link)).status).toBe(400);
    expect((await browser.post(action, { ticket, password: 'Other-pass-2026', confirm: 'Other-pass-2026' })).status).toBe(400);

    const oldTry = await signInAs(new TestBrowser(), stack, person);
    expect(oldTry.status).toBe(401);
    expect(oldTry.body).toContain('Wrong email or password');
    const newTry = await signInAs(new TestBrowser(), stack, { ...person, password: 'New-pass-2026' });
    expect(newTry.url.startsWith(stack.baseUrl)).toBe(true);
  });

  it('makes a reset link expire after an hour', async () => {
    const res = await fetch(`${stack.idp.issuer}/dbconnections/change_password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: stack.config.clientId, email: MEMBER.email, connection: 'Username-Password-Authentication' }),
    });
    expect(res.status).toBe(200);
    const link = await outboxLink(stack, /Reset the password of member@example\.com/);
    expect((await fetch(link)).status).toBe(200);
    idpOffsetMs = 61 * 60_000;
    try {
      expect((await fetch(link)).status).toBe(400);
    } finally {
      idpOffsetMs = 0;
    }
  });

  it('tells a social user that their provider manages the password, with no button, and refuses the POST', async () => {
    const browser = new TestBrowser();
    const loginPage = await browser.get(`${stack.baseUrl}/login/github?returnTo=%2Fprofile`);
    const landed = await browser.post(new URL(formAction(loginPage.body, /connection\/github$/), stack.idp.issuer).href, {});
    expect(landed.url).toBe(`${stack.baseUrl}/profile`);
    expect(landed.body).toContain('Managed by GitHub');
    expect(landed.body).not.toContain('Change password');
    const refused = await browser.post(`${stack.baseUrl}/account/password`, { _csrf: csrfTokenOf(landed) });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('managed by the service you sign in with');
  });
});

describe('change email', () => {
  it('needs a fresh MFA, sets the new address unverified, tells the old one, and gates the next sign-in until it is verified', async () => {
    const person: TestPerson = { name: 'Eve Email', email: 'eve.old@example.com', password: 'Eve-pass-2026' };
    const browser = new TestBrowser();
    await signUp(browser, stack, person);
    await verifyEmail(browser, stack, person.email);
    const sub = (await subOf(person.email))!;

    const withoutMfa = await browser.post(`${stack.baseUrl}/account/email`, { _csrf: csrfTokenOf(await browser.get(`${stack.baseUrl}/profile`)), email: 'x@example.com' });
    expect(withoutMfa.status).toBe(403); // no MFA in this sign-in: a POST cannot start the step-up
    expect((await one(stack.database, 'SELECT email FROM users WHERE sub = ?', sub))).toEqual({ email: person.email });

    const form = await openWithStepUp(browser, stack, '/account/email', person);
    expect(form.body).toContain('eve.old@example.com');
    const csrf = csrfTokenOf(form);
    const bad = await browser.post(`${stack.baseUrl}/account/email`, { _csrf: csrf, email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('such as name@example.com');
    const taken = await browser.post(`${stack.baseUrl}/account/email`, { _csrf: csrf, email: MEMBER.email });
    expect(taken.status).toBe(409);
    expect(taken.body).toContain('belongs to another account');

    const changed = await browser.post(`${stack.baseUrl}/account/email`, { _csrf: csrf, email: 'Eve.New@Example.com' });
    expect(changed.url).toBe(`${stack.baseUrl}/profile`);
    expect(changed.body).toContain('Your old address was told about the change.');
    expect(changed.body).toContain('Your old address was told');
    const outbox = await outboxText(stack);
    expect(outbox).toContain('Verify eve.new@example.com');
    expect(outbox).toMatch(/Your email address was changed<\/strong> to eve\.old@example\.com/);
    expect(outbox).toContain('changed to e***@example.com');
    expect((await idpUser(stack, sub)).body).toMatchObject({ email: 'eve.new@example.com', email_verified: false });
    expect((await one(stack.database, 'SELECT email, email_verified FROM users WHERE sub = ?', sub))).toEqual({ email: 'eve.new@example.com', email_verified: 0 });
    expect((await auditTypes(sub))).toContain('email.changed');
    const detail = (await one(stack.database, "SELECT detail FROM audit_events WHERE type = 'email.changed' AND actor_sub = ?", sub)) as { detail: string };
    expect(detail.detail).not.toContain('@');

    // The next sign-in, with the new address, meets the verification gate until the link is followed.
    const next = new TestBrowser();
    const gated = await signInAs(next, stack, { email: 'eve.new@example.com', password: person.password }, '/dashboard');
    expect(gated.url).toBe(`${stack.baseUrl}/verify-email`);
    const dashboard = await verifyEmail(next, stack, 'eve.new@example.com');
    expect(dashboard.url).toBe(`${stack.baseUrl}/dashboard`);
  });
});

describe('multi-factor authentication', () => {
  it('shows the authenticator, removes it behind a fresh MFA, and the next MFA step enrols a new one', async () => {
    const person: TestPerson = { name: 'Max Factor', email: 'max.factor@example.com', password: 'Max-pass-2026' };
    const browser = new TestBrowser();
    await signUp(browser, stack, person);
    const before = await browser.get(`${stack.baseUrl}/profile`);
    expect(before.body).toContain('not set up');

    const page = await openWithStepUp(browser, stack, '/account/mfa', person);
    const firstKey = person.totpSecret;
    expect(page.body).toContain('Remove my authenticator');
    expect((await browser.get(`${stack.baseUrl}/profile`)).body).toMatch(/badge ok">set up/);
    const removed = await browser.post(`${stack.baseUrl}/account/mfa/remove`, { _csrf: csrfTokenOf(page) });
    expect(removed.url).toBe(`${stack.baseUrl}/profile`);
    expect(removed.body).toContain('Your authenticator is removed.');
    expect(removed.body).toContain('Your authenticator is removed');
    expect(removed.body).toContain('not set up');
    const sub = (await subOf(person.email))!;
    expect((await auditTypes(sub))).toContain('mfa.removed');

    // A new sign-in's MFA step asks to set up an authenticator again, with a new key.
    person.totpSecret = undefined;
    const again = await openWithStepUp(new TestBrowser(), stack, '/account/mfa', person);
    expect(person.totpSecret).toBeDefined();
    expect(person.totpSecret).not.toBe(firstKey);
    expect(again.body).toContain('Remove my authenticator');
  });

  it('lets an admin remove a user\'s authenticator from the admin area (audited), and refuses a member', async () => {
    const person: TestPerson = { name: 'Lost Phone', email: 'lost.phone@example.com', password: 'Lost-pass-2026' };
    const user = new TestBrowser();
    await signUp(user, stack, person);
    await openWithStepUp(user, stack, '/account/mfa', person);
    const sub = (await subOf(person.email))!;
    expect((await idpUser(stack, sub)).body.multifactor).toEqual(['guardian']);

    const member = new TestBrowser();
    const memberPage = await signIn(member, stack);
    const refused = await member.post(`${stack.baseUrl}/admin/users/remove-mfa`, { _csrf: csrfTokenOf(memberPage), sub });
    expect(refused.status).toBe(403);
    expect((await idpUser(stack, sub)).body.multifactor).toEqual(['guardian']);

    const admin = new TestBrowser();
    const adminPage = await openWithStepUp(admin, stack, '/admin', { name: ADMIN.name, email: ADMIN.email, password: ADMIN.password, totpSecret: DEMO_ADMIN_TOTP_SECRET });
    expect(adminPage.body).toContain('Remove MFA');
    const done = await admin.post(`${stack.baseUrl}/admin/users/remove-mfa`, { _csrf: csrfTokenOf(adminPage), sub });
    expect(done.url).toBe(`${stack.baseUrl}/admin`);
    expect(done.body).toContain('authenticator is removed. Their next multi-factor step asks them to set up a new one.');
    expect(done.body).toContain('authenticator is removed');
    expect((await idpUser(stack, sub)).body.multifactor).toBeUndefined();
    const row = (await one(stack.database, "SELECT actor_sub FROM audit_events WHERE type = 'admin.mfa_removed' AND target_sub = ?", sub)) as { actor_sub: string };
    expect(row.actor_sub).toBe(ADMIN.sub);

    const unknown = await admin.post(`${stack.baseUrl}/admin/users/remove-mfa`, { _csrf: csrfTokenOf(adminPage), sub: 'auth0|nobody' });
    expect(unknown.status).toBe(404);
  });
});

describe('delete my account', () => {
  it('deletes the provider user, then every row and session, signs the browser out, and a new sign-up starts empty', async () => {
    const person: TestPerson = { name: 'Dee Leave', email: 'dee.leave@example.com', password: 'Dee-pass-2026' };
    const browser = new TestBrowser();
    await signUp(browser, stack, person);
    await verifyEmail(browser, stack, person.email);
    const sub = (await subOf(person.email))!;
    const other = new TestBrowser();
    await signInAs(other, stack, person, '/profile');
    const finance = createFinance(stack.database.db);
    const accountId = await finance.accounts.create(sub, { name: 'Everyday', currency: 'USD' }, new Date());
    await finance.transactions.create(sub, { accountId, date: '2026-11-03', description: 'Groceries', amountMinor: -4200, categoryId: null }, new Date());
    expect((await one(stack.database, 'SELECT count(*) AS n FROM sessions WHERE user_sub = ?', sub))).toEqual({ n: 2 });

    const page = await openWithStepUp(browser, stack, '/account/delete', person);
    expect(page.body).toContain('Type DELETE to confirm');
    const wrong = await browser.post(`${stack.baseUrl}/account/delete`, { _csrf: csrfTokenOf(page), confirm: 'delete' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('Type DELETE in capitals');
    expect((await idpUser(stack, sub)).status).toBe(200);

    const done = await browser.post(`${stack.baseUrl}/account/delete`, { _csrf: csrfTokenOf(page), confirm: 'DELETE' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Your sign-in, your data and all your sessions are gone');
    expect(done.headers.get('clear-site-data')).toContain('"storage"');
    expect(await browser.cookieValue(stack.baseUrl, 'pfc_session')).toBeUndefined();

    expect((await idpUser(stack, sub)).status).toBe(404);
    for (const table of USER_TABLES) {
      expect((await one(stack.database, `SELECT count(*) AS n FROM ${table} WHERE user_sub = ?`, sub)), table).toEqual({ n: 0 });
    }
    expect((await one(stack.database, 'SELECT count(*) AS n FROM users WHERE sub = ?', sub))).toEqual({ n: 0 });
    expect((await one(stack.database, 'SELECT count(*) AS n FROM sessions WHERE user_sub = ?', sub))).toEqual({ n: 0 });
    expect((await one(stack.database, 'SELECT count(*) AS n FROM ledger_versions WHERE user_sub = ?', sub))).toEqual({ n: 0 });
    expect((await one(stack.database, 'SELECT count(*) AS n FROM ledger_sizes WHERE user_sub = ?', sub))).toEqual({ n: 0 });
    expect((await one(stack.database, 'SELECT count(*) AS n FROM account_deletions'))).toEqual({ n: 0 });
    const audit = (await one(stack.database, "SELECT detail FROM audit_events WHERE type = 'account.deleted' AND actor_sub = ?", sub)) as { detail: string };
    expect(audit.detail).not.toContain('@');
    expect(audit.detail).not.toContain('Dee');

    // The other device is signed out too.
    const otherDashboard = await other.request(`${stack.baseUrl}/dashboard`);
    expect(otherDashboard.status).toBe(302);
    expect(otherDashboard.headers.get('location')).toContain('/login');

    // The old password no longer signs in; signing up again creates a new, empty user.
    expect((await signInAs(new TestBrowser(), stack, person)).status).toBe(401);
    const again = new TestBrowser();
    await signUp(again, stack, person);
    const newSub = (await subOf(person.email))!;
    expect(newSub).not.toBe(sub);
    expect((await one(stack.database, 'SELECT count(*) AS n FROM transactions WHERE user_sub = ?', newSub))).toEqual({ n: 0 });
  });
});

describe('without a Management API application', () => {
  let bare: Stack;
  beforeAll(async () => {
    bare = await startStack({ managementApi: () => null });
  });
  afterAll(async () => {
    await bare?.close();
  });

  it('shows email change, authenticator removal and account deletion as unavailable, with the reason, and refuses them', async () => {
    const browser = new TestBrowser();
    const profile = await signIn(browser, bare, MEMBER, '/profile');
    expect(profile.body).toContain('Change password'); // the Authentication API needs no M2M application
    expect(profile.body).toContain('Changing it is unavailable');
    expect(profile.body).toContain('AUTH0_MGMT_CLIENT_ID');
    expect(profile.body).not.toContain('href="/account/mfa"');

    const person: TestPerson = { name: MEMBER.name, email: MEMBER.email, password: MEMBER.password };
    const page = await openWithStepUp(browser, bare, '/account/delete', person);
    expect(page.body).toContain('machine-to-machine application');
    expect(page.body).not.toContain('Delete my account</button>');
    const refused = await browser.post(`${bare.baseUrl}/account/delete`, { _csrf: csrfTokenOf(page), confirm: 'DELETE' });
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('Nothing was deleted');
    expect((await one(bare.database, 'SELECT count(*) AS n FROM users WHERE sub = ?', MEMBER.sub))).toEqual({ n: 1 });
    expect((await one(bare.database, 'SELECT count(*) AS n FROM account_deletions'))).toEqual({ n: 0 });
  });
});
