import { one } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { FlakyStore } from '../helpers/flaky-store.js';
import { csrfTokenOf, signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let flaky: FlakyStore;
beforeAll(async () => {
  stack = await startStack({
    wrapStore: (store) => (flaky = new FlakyStore(store)),
    sessionReadTimeoutMs: 300,
  });
});
afterAll(async () => {
  await stack?.close();
});

const rowCount = async () => ((await one(stack.database, 'SELECT COUNT(*) AS n FROM sessions')) as { n: number }).n;

describe('#33 when the session store fails', () => {
  it.each(['throw', 'hang'] as const)(
    'answers 503 when a read fails (%s), keeps the session, and recovers once the store is back',
    async (mode) => {
      const browser = new TestBrowser();
      await signIn(browser, stack);
      const rowsBefore = (await rowCount());

      flaky.mode = mode;
      const page = await browser.request(`${stack.baseUrl}/dashboard`);
      flaky.mode = 'ok';

      expect(page.status).toBe(503);
      expect(page.body).toContain('Temporarily unavailable');
      expect(page.body).not.toMatch(/Error:|at .*\(|node_modules|SQLITE/);
      expect(page.body).not.toContain('Alex Morgan');
      // Not a silent logout: the cookie is not cleared and the row is still there.
      expect(page.headers.getSetCookie().some((c) => c.startsWith('pfc_session='))).toBe(false);
      expect((await rowCount())).toBe(rowsBefore);

      const after = await browser.request(`${stack.baseUrl}/dashboard`);
      expect(after.status).toBe(200);
      expect(after.body).toContain('Hello, Alex Morgan');
    },
  );

  it('answers a state-changing POST with 503 before anything is written when the store takes no writes', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const profile = await browser.request(`${stack.baseUrl}/profile`);
    const before = (await one(stack.database, 'SELECT display_name, currency FROM users WHERE sub = ?', 'auth0|demo-member'));
    flaky.writes = 'throw';
    const res = await browser.request(`${stack.baseUrl}/profile/preferences`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfTokenOf(profile), displayName: 'Changed', currency: 'EUR' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    flaky.writes = 'ok';
    expect(res.status).toBe(503);
    expect(res.body).not.toMatch(/SQLITE|at .*\(/);
    expect((await one(stack.database, 'SELECT display_name, currency FROM users WHERE sub = ?', 'auth0|demo-member'))).toEqual(before);
  });

  it('answers 503 as JSON to an API client', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    flaky.mode = 'throw';
    const res = await browser.request(`${stack.baseUrl}/dashboard`, { headers: { accept: 'application/json' } });
    flaky.mode = 'ok';
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ status: 503 });
  });
});
