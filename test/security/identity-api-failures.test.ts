import { all, one, refuseUserDelete, run } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock/clock.js';
import { createFinance } from '../../src/features/finance.js';
import { createManagementApi } from '../../src/identity/management-api.js';
import { createLogger } from '../../src/logging/logger.js';
import { formAction, TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf } from '../helpers/flows.js';
import { idpUser, openWithStepUp, signUp, startFaultyProxy, verifyEmail, type TestPerson } from '../helpers/account.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * The app talks to the Management API through a real HTTP hop that can hang or fail, with a
 * short deadline, so the behaviour on a slow or broken provider is tested without waiting 5 s.
 */
let stack: Stack;
let proxy: Awaited<ReturnType<typeof startFaultyProxy>>;
const logLines: string[] = [];
const TIMEOUT_MS = 300;

beforeAll(async () => {
  proxy = await startFaultyProxy();
  stack = await startStack({
    logger: createLogger('info', { write: (chunk: string) => void logLines.push(...chunk.split('\n').filter(Boolean)) }),
    managementApi: (issuer, config) => {
      proxy.target = issuer;
      // The token's audience stays the provider's own, as with an Auth0 custom domain in front.
      return createManagementApi({ baseUrl: proxy.url, audience: `${issuer}/api/v2/`, ...config.management!, clock: systemClock, timeoutMs: TIMEOUT_MS });
    },
  });
});
afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});

const count = async (sql: string, ...args: unknown[]) => ((await one(stack.database, sql, ...args)) as { n: number }).n;

async function personWithData(name: string, email: string): Promise<{ person: TestPerson; browser: TestBrowser; sub: string }> {
  const person: TestPerson = { name, email, password: 'Fault-pass-2026' };
  const browser = new TestBrowser();
  await signUp(browser, stack, person);
  await verifyEmail(browser, stack, email);
  const sub = ((await one(stack.database, 'SELECT sub FROM users WHERE email = ?', email)) as { sub: string }).sub;
  const finance = createFinance(stack.database.db);
  const accountId = await finance.accounts.create(sub, { name: 'Everyday', currency: 'USD' }, new Date());
  await finance.transactions.create(sub, { accountId, date: '2026-11-03', description: 'Rent', amountMinor: -90000, categoryId: null }, new Date());
  return { person, browser, sub };
}

describe('when the Management API hangs or fails', () => {
  it('#49 deletes nothing when the provider times out or answers 500, and says why', async () => {
    const { person, browser, sub } = await personWithData('Tim Out', 'tim.out@example.com');
    const page = await openWithStepUp(browser, stack, '/account/delete', person);

    proxy.mode = 'hang';
    const started = Date.now();
    const timedOut = await browser.post(`${stack.baseUrl}/account/delete`, { _csrf: csrfTokenOf(page), confirm: 'DELETE' });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 10);
    expect(timedOut.status).toBe(504);
    expect(timedOut.body).toContain('Nothing was deleted');
    expect(timedOut.body).toContain('did not answer in time');

    proxy.mode = 'fail';
    const failed = await browser.post(`${stack.baseUrl}/account/delete`, { _csrf: csrfTokenOf(page), confirm: 'DELETE' });
    expect(failed.status).toBe(502);
    expect(failed.body).toContain('Nothing was deleted');
    proxy.mode = 'pass';

    expect((await idpUser(stack, sub)).status).toBe(200);
    expect((await count('SELECT count(*) AS n FROM transactions WHERE user_sub = ?', sub))).toBe(1);
    expect((await count('SELECT count(*) AS n FROM users WHERE sub = ?', sub))).toBe(1);
    expect((await count('SELECT count(*) AS n FROM account_deletions'))).toBe(0);
    expect((await browser.get(`${stack.baseUrl}/profile`)).status).toBe(200);
    const failures = (await all(stack.database, "SELECT detail FROM audit_events WHERE type = 'account.delete_failed' AND actor_sub = ?", sub)) as Array<{ detail: string }>;
    expect(failures.map((f) => JSON.parse(f.detail).failure)).toEqual(['timeout', 'provider_error']);
  });

  it('#49 changes no email when the provider answers 500, and keeps what the person typed', async () => {
    const { person, browser, sub } = await personWithData('Ella Fail', 'ella.fail@example.com');
    const form = await openWithStepUp(browser, stack, '/account/email', person);
    proxy.mode = 'fail';
    const failed = await browser.post(`${stack.baseUrl}/account/email`, { _csrf: csrfTokenOf(form), email: 'ella.new@example.com' });
    proxy.mode = 'pass';
    expect(failed.status).toBe(502);
    expect(failed.body).toContain('Nothing was changed');
    expect(failed.body).toContain('value="ella.new@example.com"');
    expect((await one(stack.database, 'SELECT email, email_verified FROM users WHERE sub = ?', sub))).toEqual({ email: 'ella.fail@example.com', email_verified: 1 });
    expect((await idpUser(stack, sub)).body).toMatchObject({ email: 'ella.fail@example.com', email_verified: true });
  });

  it('shows the profile with the authenticator "could not be checked" while the provider hangs', async () => {
    const { browser } = await personWithData('Pro File', 'pro.file@example.com');
    proxy.mode = 'hang';
    const profile = await browser.get(`${stack.baseUrl}/profile`);
    proxy.mode = 'pass';
    expect(profile.status).toBe(200);
    expect(profile.body).toContain('Could not be checked just now');
  });

  it('#49 finishes a deletion whose local step failed after the provider deleted the user: retried, never half done', async () => {
    const { person, browser, sub } = await personWithData('Half Way', 'half.way@example.com');
    const page = await openWithStepUp(browser, stack, '/account/delete', person);
    // A real database refusal (a trigger), not a stand-in: the local transaction fails and rolls back.
    const refusal = await refuseUserDelete(stack.database, sub);
    const answer = await browser.post(`${stack.baseUrl}/account/delete`, { _csrf: csrfTokenOf(page), confirm: 'DELETE' });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('finishes automatically');
    expect((await idpUser(stack, sub)).status).toBe(404);
    expect((await count('SELECT count(*) AS n FROM sessions WHERE user_sub = ?', sub))).toBe(0);
    // All or nothing: the rows are all still there, with the marker that makes housekeeping retry.
    expect((await count('SELECT count(*) AS n FROM transactions WHERE user_sub = ?', sub))).toBe(1);
    expect((await one(stack.database, 'SELECT attempts, CASE WHEN idp_deleted_at IS NOT NULL THEN 1 ELSE 0 END AS done FROM account_deletions WHERE user_sub = ?', sub))).toEqual({ attempts: 3, done: 1 });

    expect((await stack.app.maintenance()).deletionsFinished).toBe(0);
    await refusal.undo();
    expect((await stack.app.maintenance()).deletionsFinished).toBe(1);
    expect((await count('SELECT count(*) AS n FROM transactions WHERE user_sub = ?', sub))).toBe(0);
    expect((await count('SELECT count(*) AS n FROM accounts WHERE user_sub = ?', sub))).toBe(0);
    expect((await count('SELECT count(*) AS n FROM users WHERE sub = ?', sub))).toBe(0);
    expect((await count('SELECT count(*) AS n FROM account_deletions'))).toBe(0);
  });

  it('#49 lets a social identity that comes back with the same sub in only after the old data is gone', async () => {
    const browser = new TestBrowser();
    const start = await browser.get(`${stack.baseUrl}/login/google-oauth2?returnTo=%2Fprofile`);
    await browser.post(new URL(formAction(start.body, /connection\/google-oauth2$/), stack.idp.issuer).href, {});
    const sub = ((await one(stack.database, "SELECT sub FROM users WHERE sub LIKE 'google-oauth2|%'")) as { sub: string }).sub;
    const finance = createFinance(stack.database.db);
    await finance.accounts.create(sub, { name: 'Old savings', currency: 'EUR' }, new Date());
    const person: TestPerson = { name: 'Sam Rivera', email: '', password: '' };
    const page = await openWithStepUp(browser, stack, '/account/delete', person);
    const refusal = await refuseUserDelete(stack.database, sub);
    expect((await browser.post(`${stack.baseUrl}/account/delete`, { _csrf: csrfTokenOf(page), confirm: 'DELETE' })).body).toContain('finishes automatically');

    const signInAgain = async () => {
      const b = new TestBrowser();
      const p = await b.get(`${stack.baseUrl}/login/google-oauth2?returnTo=%2Faccounts`);
      return b.post(new URL(formAction(p.body, /connection\/google-oauth2$/), stack.idp.issuer).href, {});
    };
    const refused = await signInAgain();
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('earlier deletion of this account is still being finished');
    expect((await count('SELECT count(*) AS n FROM accounts WHERE user_sub = ?', sub))).toBe(1);

    await refusal.undo();
    const fresh = await signInAgain();
    expect(fresh.url).toBe(`${stack.baseUrl}/accounts`);
    expect(fresh.body).not.toContain('Old savings');
    expect((await count('SELECT count(*) AS n FROM accounts WHERE user_sub = ?', sub))).toBe(0);
    expect((await count('SELECT count(*) AS n FROM users WHERE sub = ?', sub))).toBe(1);
    expect((await count('SELECT count(*) AS n FROM account_deletions'))).toBe(0);
  });

  it('#49 asks for one token and reuses it, and never writes a token to the log', async () => {
    const before = proxy.tokenRequests;
    const { person, browser } = await personWithData('Token Reuse', 'token.reuse@example.com');
    await openWithStepUp(browser, stack, '/account/mfa', person);
    for (let i = 0; i < 3; i++) expect((await browser.get(`${stack.baseUrl}/account/mfa`)).status).toBe(200);
    expect(proxy.tokenRequests - before).toBeLessThanOrEqual(1);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((l) => l.includes('eyJ'))).toBe(false);
    expect(logLines.some((l) => l.includes('timed out after'))).toBe(true);
  });
});
