import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite, type DatabaseHandle } from '../../src/db/database.js';
import { TestBrowser } from '../helpers/browser.js';
import { csrfTokenOf, MEMBER, signIn } from '../helpers/flows.js';
import { freePort } from '../helpers/ports.js';
import { childPids, startServerProcess, waitUntilReady, type ServerProcess } from '../helpers/processes.js';
import { all, one } from '../helpers/sql.js';
import type { Stack } from '../helpers/stack.js';

/**
 * WORKERS=2 on SQLite, as `npm start` runs it: a node:cluster primary (migrations, the development
 * provider, the shared rate-limit counters) and two worker processes writing one database file.
 */
const AUTH_MAX = 12;
let dataDir: string;
let server: ServerProcess;
let base: string;
let database: DatabaseHandle;
let browser: TestBrowser;
let token: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-workers-'));
  const [port, idpPort] = await Promise.all([freePort(), freePort()]);
  base = `http://localhost:${port}`;
  server = startServerProcess({ WORKERS: '2', PORT: String(port), DEV_IDP_PORT: String(idpPort), DATA_DIR: dataDir, BASE_URL: base, RATE_LIMIT_AUTH_MAX: String(AUTH_MAX) });
  await waitUntilReady(`${base}/healthz`, server);
  // /healthz answers once one worker listens; the primary says so once both do.
  for (let i = 0; i < 300 && !server.output().includes(`Personal Finance Coach: ${base} (2 workers)`); i++) await new Promise((r) => setTimeout(r, 100));
  database = openSqlite(path.join(dataDir, 'app.sqlite'));
  browser = new TestBrowser();
  token = csrfTokenOf(await signIn(browser, { baseUrl: base, idp: { issuer: `http://localhost:${idpPort}` } } as unknown as Stack));
}, 60_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `work` over `items` with `width` requests in flight at a time: busy clients, not a flood. */
async function inParallel<T, R>(items: T[], width: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}

/** A request on a connection of its own, so the cluster hands it to either worker. */
async function fresh(url: string, init: RequestInit = {}) {
  const cookie = await browser.jar.getCookieString(url);
  return fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie, connection: 'close' } });
}

describe('WORKERS=2 on SQLite', () => {
  it('runs two worker processes under the primary, which says the development provider stays in it', () => {
    expect(childPids(server.child.pid!)).toHaveLength(2);
    expect(server.output()).toContain('It runs in the primary process only');
  });

  it('writes from both workers at once lose nothing: 400 adds in one month, every total equal to its rows', async () => {
    const account = (await one<{ id: string }>(database, 'SELECT id FROM accounts WHERE user_sub = ? ORDER BY id LIMIT 1', MEMBER.sub))!.id;
    const statuses = await inParallel(
      Array.from({ length: 400 }, (_, i) => i),
      16,
      async (i) => {
        const body = new URLSearchParams({ _csrf: token, date: '2025-06-15', description: `Worker race ${i}`, kind: 'out', accountId: account, amount: `${i + 1}.00`, categoryId: '' });
        return (await browser.request(`${base}/transactions`, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status;
      },
    );
    expect(statuses.filter((s) => s !== 303)).toEqual([]);
    const [rows] = await all<{ n: number; total: number }>(database, "SELECT count(*) AS n, sum(amount_minor) AS total FROM transactions WHERE user_sub = ? AND date LIKE '2025-06-%'", MEMBER.sub);
    expect(rows!.n).toBe(400);
    expect(rows!.total).toBe(-((400 * 401) / 2) * 100);
    const [stored] = await all<{ n: number; total: number }>(database, "SELECT sum(count) AS n, sum(total_minor) AS total FROM month_totals WHERE user_sub = ? AND month = '2025-06'", MEMBER.sub);
    expect(stored).toEqual(rows);

    // Marking cleared reads the row, then writes it and the month's cleared totals: the kind of
    // transaction that fails at once under a plain BEGIN when the other process writes in between.
    const ids = await all<{ id: string }>(database, "SELECT id FROM transactions WHERE user_sub = ? AND date LIKE '2025-06-%'", MEMBER.sub);
    const cleared = await inParallel(ids, 16, async ({ id }) => (await browser.request(`${base}/transactions/${id}/cleared`, { method: 'POST', body: new URLSearchParams({ _csrf: token, cleared: 'cleared' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status);
    expect(cleared.filter((s) => s !== 303)).toEqual([]);
    const [clearedTotal] = await all<{ cleared: number }>(database, "SELECT sum(cleared_minor) AS cleared FROM account_month_totals WHERE user_sub = ? AND month = '2025-06'", MEMBER.sub);
    expect(clearedTotal!.cleared).toBe(rows!.total);
  });

  it('counts sign-in attempts across both workers together (the limit holds for the cluster, not per process)', async () => {
    const answers = await Promise.all(Array.from({ length: 3 * AUTH_MAX }, () => fresh(`${base}/login`).then((r) => r.status)));
    expect(answers).toContain(429);
    // Per-process counters would let up to twice the limit through.
    expect(answers.filter((s) => s !== 429).length).toBeLessThanOrEqual(AUTH_MAX);
  });

  it('restarts a worker killed with SIGKILL while the other keeps answering', async () => {
    const [victim] = childPids(server.child.pid!);
    process.kill(victim!, 'SIGKILL');
    // Once the primary has seen it die (a connection handed over in that instant is lost, as with
    // any crash: a proxy in front retries it), the other worker answers while the new one starts.
    // The primary logs the death after taking the worker out of its round-robin; the process being
    // gone from /proc comes before that, and a request sent in between could still be handed to it.
    const seenDead = () => server.output().split('\n').some((line) => line.includes('worker stopped; starting another') && line.includes(`"pid":${victim}`));
    for (let i = 0; i < 300 && !seenDead(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(seenDead()).toBe(true);
    expect(fs.existsSync(`/proc/${victim}`)).toBe(false);
    expect(childPids(server.child.pid!)).toHaveLength(1);
    for (let i = 0; i < 10; i++) expect((await fresh(`${base}/healthz`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    // The new worker counts once the same two processes are seen in three reads 100 ms apart: a
    // process read in the instant of its birth (between fork and exec) can be missed by the next read.
    const until = Date.now() + 15_000;
    let now: number[] = [];
    for (let same = 0; Date.now() < until && same < 3; ) {
      const seen = childPids(server.child.pid!);
      const two = seen.length === 2 && !seen.includes(victim!);
      same = two && seen.join() === now.join() ? same + 1 : two ? 1 : 0;
      now = seen;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(now).toHaveLength(2);
    expect(now).not.toContain(victim);
    // Only the victim died: a new worker that failed to start would show here, with the log saying why.
    expect(server.output().split('\n').filter((line) => line.includes('worker stopped; starting another')), server.output()).toHaveLength(1);
    expect((await fresh(`${base}/profile`)).status).toBe(200);
  }, 30_000);

  it('drains on SIGTERM: the primary stops its workers and exits 0', async () => {
    const workers = childPids(server.child.pid!);
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(workers.filter((pid) => fs.existsSync(`/proc/${pid}`))).toEqual([]);
  }, 30_000);
});
