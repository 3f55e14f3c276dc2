import { all, one, run } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { ADMIN, csrfTokenOf, DEMO_ADMIN_TOTP_SECRET, MEMBER, signIn, submitTotp } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const auditTypes = async (sub: string) =>
  ((await all(stack.database, 'SELECT type FROM audit_events WHERE actor_sub = ? ORDER BY at', sub)) as Array<{ type: string }>).map((r) => r.type);

let adminBrowser: TestBrowser | undefined;

/** An admin who passed the TOTP step-up. Shared: the provider accepts each TOTP time step once. */
async function adminWithMfa(): Promise<TestBrowser> {
  if (adminBrowser) return adminBrowser;
  const browser = new TestBrowser();
  await signIn(browser, stack, ADMIN);
  const mfaPage = await browser.get(`${stack.baseUrl}/admin`);
  expect(mfaPage.url).toContain('/interaction/');
  expect(mfaPage.body).toContain('Enter the 6-digit code');
  const admin = await submitTotp(browser, stack, mfaPage, DEMO_ADMIN_TOTP_SECRET);
  expect(admin.url).toBe(`${stack.baseUrl}/admin`);
  expect(admin.status).toBe(200);
  adminBrowser = browser;
  return browser;
}

describe('/admin security events', () => {
  it('page through every event, newest first, fifty at a time', async () => {
    const insert = "INSERT INTO audit_events (id, at, type, actor_sub, target_sub, ip, request_id, detail) VALUES (?, ?, 'backchannel.logout', NULL, ?, NULL, NULL, '{}')";
    for (let i = 0; i < 120; i++) await run(stack.database, insert, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `2020-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`, `auth0|paged-${i}`);
    const browser = await adminWithMfa();
    const seen = new Set<string>();
    let page = await browser.get(`${stack.baseUrl}/admin`);
    for (let n = 0; n < 10; n++) {
      for (const m of page.body.matchAll(/auth0\|paged-(\d+)/g)) seen.add(m[1]!);
      const older = /<a href="([^"]+)" rel="next">Older events/.exec(page.body);
      if (!older) break;
      page = await browser.get(`${stack.baseUrl}${older[1]!.replace(/&amp;/g, '&').replace(/#.*$/, '')}`);
      expect(page.status).toBe(200);
    }
    expect(seen.size).toBe(120);
  });
});

describe('housekeeping', () => {
  it('deletes audit events past the retention period and expired import previews, and writes the counts of refused requests', async () => {
    const before = stack.clock.now();
    await run(stack.database, "INSERT INTO audit_events (id, at, type, detail) VALUES ('old-event', '2000-01-01T00:00:00.000Z', 'logout', '{}')");
    await run(stack.database, "INSERT INTO pending_imports (id, user_sub, account_id, payload, created_at) VALUES ('old-import', 'auth0|x', 'a', '{}', '2000-01-01T00:00:00.000Z')");
    for (let i = 0; i < 3; i++) await fetch(`${stack.baseUrl}/profile/preferences`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'currency=USD' });
    stack.clock.set(new Date(before.getTime() + 61_000));
    const done = await stack.app.maintenance();
    stack.clock.set(before);
    expect(done.importsExpired).toBe(1);
    expect(done.auditPruned).toBeGreaterThanOrEqual(1);
    expect(done.refusalSummaries).toBeGreaterThanOrEqual(1);
    expect((await one(stack.database, "SELECT COUNT(*) AS n FROM audit_events WHERE id = 'old-event' OR at < '2026-01-01'"))).toEqual({ n: 0 });
    const repeated = (await all(stack.database, "SELECT detail FROM audit_events WHERE type = 'csrf.failure' AND detail LIKE '%repeated%'")) as Array<{ detail: string }>;
    expect(repeated.map((r) => JSON.parse(r.detail).repeated)).toContain(2);
  });
});

describe('/admin', () => {
  it('#35 answers a signed-in member with a 403 page, without sending them back to login, and audits the denial', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack, MEMBER);
    const res = await browser.request(`${stack.baseUrl}/admin`);
    expect(res.status).toBe(403);
    expect(res.body).toContain('Access denied');
    expect(res.body).not.toContain('Recent security events');
    expect((await auditTypes(MEMBER.sub))).toContain('access.denied');
  });

  it('#35 sends an anonymous browser to login and answers an anonymous API client 401', async () => {
    const page = await fetch(`${stack.baseUrl}/admin/users`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login?returnTo=%2Fadmin%2Fusers');
    const api = await fetch(`${stack.baseUrl}/admin`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
  });

  it('guards routes that do not exist yet under /admin (router-level guard): a member gets 403, not 404', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack, MEMBER);
    expect((await browser.request(`${stack.baseUrl}/admin/some/future/page`)).status).toBe(403);
  });

  it('#36 ignores roles offered through the query, a header or the body', async () => {
    const browser = new TestBrowser();
    const dashboard = await signIn(browser, stack, MEMBER);
    expect((await browser.request(`${stack.baseUrl}/admin?role=admin&roles=admin`)).status).toBe(403);
    expect((await browser.request(`${stack.baseUrl}/admin`, { headers: { 'x-user-role': 'admin', 'x-roles': 'admin' } })).status).toBe(403);
    const body = new URLSearchParams({ _csrf: csrfTokenOf(dashboard), role: 'admin', roles: 'admin', sub: MEMBER.sub }).toString();
    const post = await browser.request(`${stack.baseUrl}/admin/users/end-sessions`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(post.status).toBe(403);
    const json = await browser.request(`${stack.baseUrl}/admin`, {
      method: 'POST',
      body: JSON.stringify({ role: 'admin', [stack.config.rolesClaim]: ['admin'] }),
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfTokenOf(dashboard), accept: 'application/json' },
    });
    expect(json.status).toBe(403);
  });

  it('#35 takes an admin through a TOTP step-up at the provider and then shows the users and security events', async () => {
    const browser = await adminWithMfa();
    const page = await browser.request(`${stack.baseUrl}/admin`);
    expect(page.body).toContain('Users');
    expect(page.body).toContain('Recent security events');
    expect(page.body).toContain(MEMBER.email);
    const row = (await one(stack.database, 'SELECT last_mfa_at FROM users WHERE sub = ?', ADMIN.sub)) as { last_mfa_at: string | null };
    expect(row.last_mfa_at).not.toBeNull();
    const types = (await auditTypes(ADMIN.sub));
    expect(types).toContain('mfa.step_up');
    expect(types.filter((t) => t === 'login.success').length).toBeGreaterThanOrEqual(2);
  });

  it("#32 lets an admin end all of a user's sessions: that user's next request is anonymous, and it is audited", async () => {
    const member = new TestBrowser();
    await signIn(member, stack, MEMBER);
    expect((await member.request(`${stack.baseUrl}/dashboard`)).status).toBe(200);

    const admin = await adminWithMfa();
    const adminPage = await admin.request(`${stack.baseUrl}/admin`);
    const done = await admin.post(`${stack.baseUrl}/admin/users/end-sessions`, { _csrf: csrfTokenOf(adminPage), sub: MEMBER.sub });
    expect(done.url).toBe(`${stack.baseUrl}/admin`);
    expect(done.body).toMatch(/Ended [1-9]\d* sessions?\. That user(&#39;|')s next request is signed out/);

    const after = await member.request(`${stack.baseUrl}/dashboard`, { headers: { accept: 'application/json' } });
    expect(after.status).toBe(401);
    const audit = (await all(stack.database, "SELECT actor_sub, target_sub FROM audit_events WHERE type = 'admin.end_sessions'"));
    expect(audit).toContainEqual({ actor_sub: ADMIN.sub, target_sub: MEMBER.sub });
  });

  it('refuses to end the sessions of an unknown user with a 404', async () => {
    const admin = await adminWithMfa();
    const page = await admin.request(`${stack.baseUrl}/admin`);
    const res = await admin.request(`${stack.baseUrl}/admin/users/end-sessions`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfTokenOf(page), sub: 'auth0|nobody' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(404);
  });
});
