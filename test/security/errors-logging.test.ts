import { run } from '../helpers/sql.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { formAction, TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf, MEMBER, openLoginPage, signIn } from '../helpers/flows.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { INTERNALS } from './helpers.js';
import { freePort } from '../helpers/ports.js';

describe('#43 errors never show internals, even with NODE_ENV unset', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: '' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a thrown exception: generic 500 page', async () => {
    expect(stack.config.nodeEnv).toBe('development');
    const browser = new TestBrowser();
    await signIn(browser, stack);
    await run(stack.database, 'ALTER TABLE users RENAME TO users_gone');
    try {
      const res = await browser.request(`${stack.baseUrl}/dashboard`);
      expect(res.status).toBe(500);
      expect(res.body).toContain('Something went wrong');
      expect(res.body).not.toMatch(INTERNALS);
      const api = await browser.request(`${stack.baseUrl}/dashboard`, { headers: { accept: 'application/json' } });
      expect(api.status).toBe(500);
      expect(api.body).not.toMatch(INTERNALS);
    } finally {
      await run(stack.database, 'ALTER TABLE users_gone RENAME TO users');
    }
  });

  it.each([
    ['malformed JSON', 'application/json', '{"a":', 400],
    ['oversized form', 'application/x-www-form-urlencoded', `a=${'x'.repeat(40_000)}`, 413],
    ['oversized JSON', 'application/json', JSON.stringify({ a: 'x'.repeat(40_000) }), 413],
    ['too many form fields', 'application/x-www-form-urlencoded', Array.from({ length: 300 }, (_, i) => `f${i}=1`).join('&'), 413],
  ])('%s: generic %s-class answer', async (_what, type, body, status) => {
    for (const accept of ['text/html', 'application/json']) {
      const res = await fetch(`${stack.baseUrl}/profile/preferences`, { method: 'POST', headers: { 'content-type': type, accept }, body });
      expect(res.status).toBe(status);
      expect(await res.text()).not.toMatch(INTERNALS);
    }
  });
});

describe('#44 logs', () => {
  let stack: Stack;
  const lines: string[] = [];
  beforeAll(async () => {
    const logger = createLogger('info', { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) });
    stack = await startStack({ logger, env: { RATE_LIMIT_AUTH_MAX: '60' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('record security events as one-line UTC JSON with request ids and the user sub, and never contain secrets', async () => {
    // A success, a cancelled login (failure), a denial, a CSRF failure, a rate limit, and a CR/LF attempt.
    const browser = new TestBrowser();
    const dashboard = await signIn(browser, stack);
    const sessionCookie = (await browser.cookieValue(stack.baseUrl, 'pfc_session'))!;
    const code = new URL(browser.history.find((p) => p.url.includes('/callback?'))!.url).searchParams.get('code')!;
    const csrf = csrfTokenOf(dashboard);
    await browser.request(`${stack.baseUrl}/admin`);
    await browser.request(`${stack.baseUrl}/profile/preferences`, { method: 'POST', body: 'displayName=x&currency=USD', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const other = new TestBrowser();
    const loginPage = await openLoginPage(other, stack);
    await other.post(new URL(formAction(loginPage.body, /\/abort$/), stack.idp.issuer).href, {});
    await fetch(`${stack.baseUrl}/nope%0d%0a{"level":60,"msg":"INJECTED"}?returnTo=%0d%0aINJECTED`);
    for (let i = 0; i < 60; i++) await fetch(`${stack.baseUrl}/login`, { redirect: 'manual' });

    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const entry of parsed) expect(String(entry.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const audits = parsed.filter((e) => e.audit).map((e) => (e.audit as { type: string }).type);
    for (const type of ['login.success', 'login.failure', 'access.denied', 'csrf.failure', 'rate.limited']) expect(audits).toContain(type);
    for (const entry of parsed.filter((e) => e.audit && (e.audit as { type: string }).type !== 'rate.limited')) {
      expect(typeof entry.reqId).toBe('string');
    }
    const denial = parsed.find((e) => (e.audit as { type?: string } | undefined)?.type === 'access.denied')!;
    expect(denial.userSub).toBe(MEMBER.sub);
    const completed = parsed.filter((e) => e.msg === 'request completed');
    expect(completed.length).toBeGreaterThan(10);
    for (const e of completed) expect((e.req as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);

    const all = lines.join('\n');
    const [sessionId] = decodeURIComponent(sessionCookie).split('.');
    expect(all).not.toContain(sessionId);
    expect(all).not.toContain(code);
    expect(all).not.toContain(csrf);
    expect(all).not.toContain(stack.config.clientSecret);
    expect(all).not.toContain(stack.config.appSecret);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/); // no JWT
    expect(lines.some((l) => l.startsWith('{"level":60'))).toBe(false);
    expect(lines.every((l) => !l.includes('\n') && !l.includes('\r'))).toBe(true);
  });
});

describe('#45 failures are noticed and reported', () => {
  it('/readyz reports a store or identity provider outage, /healthz stays up', async () => {
    const stack = await startStack();
    try {
      expect(await (await fetch(`${stack.baseUrl}/readyz`)).json()).toEqual({ status: 'ok', database: 'ok', identityProvider: 'ok' });
      await stack.idp.close();
      // The provider check is reused for about ten seconds: within them the outage does not show yet.
      expect((await fetch(`${stack.baseUrl}/readyz`)).status).toBe(200);
      stack.clock.set(new Date(stack.clock.now().getTime() + 11_000));
      const res = await fetch(`${stack.baseUrl}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ identityProvider: 'unavailable', database: 'ok' });
      expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      stack.idp.close = async () => {};
      await stack.close();
    }
  });

  async function runServerWith(fixture: string) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-crash-'));
    const ports = await Promise.all([freePort(), freePort()]);
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', `./test/fixtures/${fixture}`, 'src/server.ts'], {
      env: { PATH: process.env.PATH ?? '', PORT: String(ports[0]), DEV_IDP_PORT: String(ports[1]), DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, port: ports[0], output: () => out, cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }

  it('logs an unhandled rejection and keeps serving', async () => {
    const run = await runServerWith('unhandled-rejection.mjs');
    try {
      await waitFor(() => run.output().includes('Personal Finance Coach: http'), 15_000);
      run.child.kill('SIGUSR2');
      await waitFor(() => run.output().includes('unhandled promise rejection'), 5_000);
      expect(run.output()).toContain('fixture: rejected with no handler');
      expect((await fetch(`http://localhost:${run.port}/healthz`)).status).toBe(200);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      run.cleanup();
    }
  });

  it('logs an uncaught exception as fatal and exits for a clean restart', async () => {
    const run = await runServerWith('uncaught-exception.mjs');
    try {
      await waitFor(() => run.output().includes('Personal Finance Coach: http'), 15_000);
      run.child.kill('SIGUSR2');
      const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect(code).toBe(1);
      const fatal = run.output().split('\n').find((l) => l.includes('"level":60'));
      expect(fatal).toContain('uncaught exception');
      expect(fatal).toContain('fixture: thrown outside any request');
    } finally {
      run.child.kill('SIGKILL');
      run.cleanup();
    }
  });
});


async function waitFor(check: () => boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
