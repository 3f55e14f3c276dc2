import { all, one, run } from '../helpers/sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf, MEMBER, signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

class DeviceBrowser extends TestBrowser {
  constructor(private readonly ua: string) {
    super();
  }
  override request(url: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    headers.set('user-agent', this.ua);
    return super.request(url, { ...init, headers });
  }
}

describe('/profile', () => {
  it('shows identity: name, email and whether it is verified, connection, roles and MFA status', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const page = await browser.get(`${stack.baseUrl}/profile`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(MEMBER.email);
    expect(page.body).toContain('verified');
    expect(page.body).toContain('Email and password');
    expect(page.body).toContain('Not used for this sign-in');
  });

  it('saves valid preferences and greets the user by the display name', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const page = await browser.get(`${stack.baseUrl}/profile`);
    const saved = await browser.post(`${stack.baseUrl}/profile/preferences`, {
      _csrf: csrfTokenOf(page),
      displayName: '  Alex   M. ',
      currency: 'eur',
      userId: 'auth0|demo-admin',
      isAdmin: 'true',
    });
    expect(saved.url).toBe(`${stack.baseUrl}/profile`);
    expect(saved.body).toContain('Your preferences are saved.');
    const row = (await one(stack.database, 'SELECT display_name, currency FROM users WHERE sub = ?', MEMBER.sub));
    expect(row).toEqual({ display_name: 'Alex M.', currency: 'EUR' });
    // userId and isAdmin in the form were ignored: only the signed-in user's row changed.
    expect((await all(stack.database, 'SELECT sub FROM users WHERE display_name IS NOT NULL'))).toEqual([{ sub: MEMBER.sub }]);
    expect((await browser.get(`${stack.baseUrl}/dashboard`)).body).toContain('Hello, Alex M.');
  });

  it('refuses bad preferences with a 400 that names each field and keeps what was typed, changing nothing', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const before = (await one(stack.database, 'SELECT display_name, currency FROM users WHERE sub = ?', MEMBER.sub));
    const page = await browser.get(`${stack.baseUrl}/profile`);
    const res = await browser.post(`${stack.baseUrl}/profile/preferences`, { _csrf: csrfTokenOf(page), displayName: 'x'.repeat(61), currency: 'XYZ' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('Keep the display name to 60 characters or fewer.');
    expect(res.body).toContain('Choose a currency from the list');
    expect(res.body).toContain(`value="${'x'.repeat(61)}"`);
    expect(res.body).toMatch(/name="currency" list="currency-list" data-suggestions="[^"]+" value="XYZ"[^>]*aria-invalid="true"/);
    expect((await one(stack.database, 'SELECT display_name, currency FROM users WHERE sub = ?', MEMBER.sub))).toEqual(before);
  });

  it('refuses a field sent twice', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack);
    const page = await browser.get(`${stack.baseUrl}/profile`);
    const body = `_csrf=${encodeURIComponent(csrfTokenOf(page))}&currency=USD&currency=JPY&displayName=A`;
    const res = await browser.request(`${stack.baseUrl}/profile/preferences`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(400);
    expect(res.body).toContain('Choose one currency.');
  });

  it('lists active sessions by device and signs out the other ones', async () => {
    await run(stack.database, 'DELETE FROM sessions WHERE user_sub = ?', MEMBER.sub);
    const laptop = new DeviceBrowser(FIREFOX);
    const phone = new DeviceBrowser(IPHONE);
    await signIn(laptop, stack);
    await signIn(phone, stack);
    const page = await laptop.get(`${stack.baseUrl}/profile`);
    expect(page.body).toContain('Firefox on Linux');
    expect(page.body).toMatch(/Safari on iOS \(mobile\)/);
    expect(page.body).toMatch(/Firefox on Linux <span class="badge ok">this device<\/span>/);

    const done = await laptop.post(`${stack.baseUrl}/profile/sessions/end-others`, { _csrf: csrfTokenOf(page) });
    expect(done.body).toContain('Your other sessions are signed out.');
    expect(done.body).not.toContain('Safari on iOS');
    expect((await phone.request(`${stack.baseUrl}/profile`, { headers: { accept: 'application/json' } })).status).toBe(401);
    expect((await laptop.request(`${stack.baseUrl}/profile`)).status).toBe(200);
  });
});
