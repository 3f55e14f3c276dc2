import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../helpers/browser.js';
import { openTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { csrfTokenOf, MEMBER, ADMIN, signIn } from '../helpers/flows.js';
import { freePort } from '../helpers/ports.js';
import { startProviderProcess, startServerProcess, waitUntilReady, type ServerProcess } from '../helpers/processes.js';
import { startNginx, startRedis, type Daemon } from '../helpers/servers.js';
import { one } from '../helpers/sql.js';
import type { Stack } from '../helpers/stack.js';

/**
 * Two app instances (separate processes, different ports) behind nginx, one public BASE_URL,
 * sharing one PostgreSQL database and one Redis, signing in through one development provider.
 * Run by the nginx leg of `npm test` (test/run.ts), which needs PostgreSQL, redis-server and nginx.
 */
const CLIENT = { id: 'scale-client', secret: 'scale-client-secret-0123456789abcdef' };
const AUTH_MAX = 80;
const ROWS = 20_000;

let dir: string;
let database: TestDatabase;
let redis: Daemon;
let nginx: Daemon;
let idp: ChildProcess;
let issuer: string;
const ports = { public: 0, directA: 0, directB: 0, a: 0, b: 0, idp: 0, redis: 0 };
const instances: { a?: ServerProcess; b?: ServerProcess } = {};
let publicUrl: string;
let viaA: string;
let viaB: string;

function startInstance(name: 'a' | 'b'): Promise<ServerProcess> {
  const server = startServerProcess({
    PORT: String(ports[name]),
    BASE_URL: publicUrl,
    TRUST_PROXY: '1',
    DATABASE_URL: database.url,
    REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
    AUTH0_ISSUER_BASE_URL: issuer,
    AUTH0_CLIENT_ID: CLIENT.id,
    AUTH0_CLIENT_SECRET: CLIENT.secret,
    APP_SECRET_KEY: 'one-secret-for-every-instance-0123456789abcdef',
    DATA_DIR: path.join(dir, `instance-${name}`),
    RATE_LIMIT_AUTH_MAX: String(AUTH_MAX),
  });
  instances[name] = server;
  return waitUntilReady(`http://127.0.0.1:${ports[name]}/healthz`, server).then(() => server);
}

function startProvider(): Promise<string> {
  const provider = startProviderProcess({ port: ports.idp, dataDir: path.join(dir, 'idp'), publicUrl, client: CLIENT });
  idp = provider.child;
  return provider.issuer;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-instances-'));
  for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
  publicUrl = `http://localhost:${ports.public}`;
  viaA = `http://localhost:${ports.directA}`;
  viaB = `http://localhost:${ports.directB}`;
  database = await openTestDatabase(dir, { migrate: false });
  redis = await startRedis(ports.redis, path.join(dir, 'redis'));
  issuer = await startProvider();
  // Both at once: the migrations' lock on PostgreSQL lets exactly one of them migrate.
  await Promise.all([startInstance('a'), startInstance('b')]);
  nginx = await startNginx(path.join(dir, 'nginx'), { public: ports.public, upstreams: [ports.a, ports.b], direct: [ports.directA, ports.directB] });
}, 90_000);

afterAll(async () => {
  await Promise.all([instances.a?.stop('SIGKILL'), instances.b?.stop('SIGKILL'), nginx?.stop(), redis?.stop()]);
  idp?.kill('SIGKILL');
  await database?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const asStack = (base: string) => ({ baseUrl: base, idp: { issuer } }) as unknown as Stack;
async function signedIn(base: string, user = MEMBER): Promise<{ browser: TestBrowser; token: string }> {
  const browser = new TestBrowser();
  const page = await signIn(browser, asStack(base), user);
  return { browser, token: csrfTokenOf(page) };
}
const post = (b: TestBrowser, url: string, form: Record<string, string>) =>
  b.request(url, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const json = (b: TestBrowser, url: string) => b.request(url, { headers: { accept: 'application/json' } });

let member: { browser: TestBrowser; token: string };
let accountId: string;

describe('two instances behind nginx on PostgreSQL and Redis', () => {
  it('signed in through one instance, every page works on the other', async () => {
    member = await signedIn(viaA);
    for (const page of ['/dashboard', '/transactions', '/accounts', '/budgets', '/goals', '/import', '/categories', '/rules', '/payees', '/profile', '/help']) {
      const res = await member.browser.request(`${viaB}${page}`);
      expect(res.status, page).toBe(200);
    }
  });

  it('a transaction added through one is on the other at once', async () => {
    expect((await post(member.browser, `${viaA}/accounts`, { _csrf: member.token, name: 'Shared', currency: 'USD', type: 'checking', openingBalance: '0', openingDate: '' })).status).toBe(303);
    accountId = (await one<{ id: string }>(database.handle, "SELECT id FROM accounts WHERE user_sub = ? AND name = 'Shared'", MEMBER.sub))!.id;
    const added = await post(member.browser, `${viaA}/transactions`, { _csrf: member.token, date: '2026-11-03', description: 'Seen on both', kind: 'out', accountId, amount: '12.34', categoryId: '' });
    expect(added.status).toBe(303);
    const list = await member.browser.request(`${viaB}/transactions?month=2026-11`);
    expect(list.body).toContain('Seen on both');
  });

  it('sign-out on one ends the session on both', async () => {
    const other = await signedIn(viaB);
    expect((await json(other.browser, `${viaA}/dashboard`)).status).toBe(200);
    const out = await post(other.browser, `${viaB}/logout`, { _csrf: other.token });
    expect(out.status).toBe(302);
    expect((await json(other.browser, `${viaA}/dashboard`)).status).toBe(401);
    expect((await json(other.browser, `${viaB}/dashboard`)).status).toBe(401);
  });

  it('back-channel logout reaching either instance ends the session on both', async () => {
    for (let round = 0; round < 2; round++) {
      const other = await signedIn(viaA, ADMIN);
      const logoutPage = await other.browser.get(`${issuer}/v2/logout`);
      const action = /<form[^>]*action="([^"]+)"/.exec(logoutPage.body)![1]!;
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(logoutPage.body)![1]!;
      expect((await other.browser.post(new URL(action, issuer).href, { xsrf, logout: 'yes' })).body).toContain('Signed out');
      expect((await json(other.browser, `${viaA}/dashboard`)).status).toBe(401);
      expect((await json(other.browser, `${viaB}/dashboard`)).status).toBe(401);
    }
    // nginx balanced the provider's two notices over both instances.
    const served = fs.readFileSync(path.join(dir, 'nginx', 'access.log'), 'utf8').split('\n').filter((l) => l.startsWith('/backchannel-logout '));
    expect(new Set(served.map((l) => l.split(' ')[1]))).toEqual(new Set([`127.0.0.1:${ports.a}`, `127.0.0.1:${ports.b}`]));
  });

  it('one instance killed with SIGKILL mid-import leaves the whole import or none of it, and the other keeps answering', async () => {
    const csv = ['Date,Description,Amount', ...Array.from({ length: ROWS }, (_, i) => `2026-10-${String((i % 28) + 1).padStart(2, '0')},Bulk payee ${i},-${(i % 500) + 1}.00`)].join('\n');
    const form = new FormData();
    for (const [k, v] of Object.entries({ _csrf: member.token, accountId, format: 'signed', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes' })) form.append(k, v);
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'big.csv');
    const preview: Page = await member.browser.request(`${viaA}/import/preview`, { method: 'POST', body: form });
    expect(preview.status).toBe(200);
    const action = /action="(\/import\/[^"]+\/confirm)"/.exec(preview.body)![1]!;
    const confirming = post(member.browser, `${viaA}${action}`, { _csrf: member.token }).catch((err: unknown) => err);
    // Kill A once PostgreSQL shows its import transaction writing.
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const busy = await one<{ n: number }>(database.handle, "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query ILIKE 'insert into \"transactions\"%'");
      if (busy!.n > 0) break;
    }
    instances.a!.child.kill('SIGKILL');
    await instances.a!.exited;
    const answer = await confirming;
    expect(answer instanceof Error || (answer as Page).status === 502, 'the import was still being written when A died').toBe(true);
    expect((await member.browser.request(`${viaB}/healthz`)).status).toBe(200);
    // PostgreSQL rolls back the dead connection's transaction.
    let n = -1;
    for (let i = 0; i < 50; i++) {
      n = (await one<{ n: number }>(database.handle, "SELECT count(*) AS n FROM transactions WHERE user_sub = ? AND description LIKE 'Bulk payee %'", MEMBER.sub))!.n;
      const open = await one<{ n: number }>(database.handle, "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid() AND query ILIKE '%transactions%'");
      if (open!.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([0, ROWS]).toContain(n);
    expect((await member.browser.request(`${publicUrl}/dashboard`)).status).toBe(200);
    await startInstance('a');
  }, 60_000);

  it('counts sign-in attempts to both instances together', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 2 * AUTH_MAX; i++) answers.push((await fetch(`${i % 2 ? viaA : viaB}/login`, { redirect: 'manual' })).status);
    expect(answers).toContain(429);
    // Counters per instance would let up to twice the limit through.
    expect(answers.filter((s) => s !== 429).length).toBeLessThanOrEqual(AUTH_MAX);
  });

  it('Redis down: pages that need a session answer 503, and the same session works again when it is back', async () => {
    await redis.stop('SIGTERM');
    const down = await member.browser.request(`${viaB}/dashboard`);
    expect(down.status).toBe(503);
    expect(down.body).not.toContain('Error:');
    expect((await post(member.browser, `${viaA}/transactions`, { _csrf: member.token, date: '2026-11-04', description: 'While Redis is away', kind: 'out', accountId, amount: '1.00', categoryId: '' })).status).toBe(503);
    redis = await startRedis(ports.redis, path.join(dir, 'redis'));
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await member.browser.request(`${viaB}/dashboard`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await member.browser.request(`${viaA}/dashboard`)).status).toBe(200);
  }, 30_000);

  it('everything restarted, sessions survive', async () => {
    await Promise.all([instances.a!.stop(), instances.b!.stop(), redis.stop()]);
    redis = await startRedis(ports.redis, path.join(dir, 'redis'));
    await Promise.all([startInstance('a'), startInstance('b')]);
    for (const base of [viaA, viaB, publicUrl]) expect((await member.browser.request(`${base}/dashboard`)).status, base).toBe(200);
  }, 60_000);
});

