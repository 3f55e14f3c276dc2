/**
 * The benchmark (npm run bench): the app as it runs for real (its own process, the embedded
 * provider), loaded by wrk from a process of its own beside a bare Express 5 "hello" app and the
 * lean reference on the same machine. Prints a table; nothing here is a test. The parts are listed
 * in the README.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrations.js';
import { createFinance } from '../src/features/finance.js';
import { systemClock, todayOf } from '../src/clock/clock.js';
import { addMonths, monthOf } from '../src/money/dates.js';
import type { TransactionInput } from '../src/features/transactions/repository.js';
import { TestBrowser } from '../test/helpers/browser.js';
import { ADMIN, MEMBER } from '../test/helpers/flows.js';
import { freePort } from '../test/helpers/ports.js';
import { launchFlags } from '../test/helpers/processes.js';
import { scaleRows } from './scale.js';
import { loadRows } from './load.js';
import { profileRows, speedRows } from './speed.js';
import { gcRows } from './gc.js';
import { wrk } from './wrk.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Rounds of the speed part: each target once per round, in turn; the table gives each round and the median. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Where the CPU profiles of the app are written (open them in Chrome DevTools). */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ?? 'bench/tmp/profiles';
/** The pages the profile part profiles, comma-separated: profile, dashboard, add. */
const PROFILE_PAGES = (process.env.BENCH_PROFILE_PAGES ?? 'profile,dashboard,add').split(',');
/** Optional: only these parts, comma-separated (speed, gc, load, profile, dashboard, accounts, forecast, signin, import, dedupe, memory, scale). */
const ONLY = process.env.BENCH_ONLY?.split(',');
/** Every part but the CPU profiles, which change the timings they measure, runs unless ONLY names some. */
const runs = (part: string) => (ONLY ? ONLY.includes(part) : part !== 'profile');
/** Sizes of the duplicate-detection runs: a file of N rows against N existing rows, all of one amount on one date. */
const DEDUPE_SIZES = [8_000, 50_000];
const CONNECTIONS = 50;
const HEAVY_SUB = 'auth0|demo-member';
const HEAVY_PARTS = ['dashboard', 'accounts', 'forecast', 'signin', 'import', 'dedupe'];


async function waitReady(url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

function rssMb(child: ChildProcess): number {
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** The app as it runs for real, in its own process. */
function startApp(appPort: number, idpPort: number, dataDir: string, profileDir?: string): ChildProcess {
  return spawn(process.execPath, [...launchFlags(), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', 'src/server.ts'], {
    // NODE_ENV=test: as deployed, templates are compiled once and cached (development recompiles
    // them on every request so edits show at once); the embedded provider is still allowed.
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', PORT: String(appPort), DEV_IDP_PORT: String(idpPort), DATA_DIR: dataDir, LOG_LEVEL: 'info', RATE_LIMIT_AUTH_MAX: '100000', RATE_LIMIT_POST_MAX: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stop(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Resident memory of a freshly started app serving /profile, as the lowest reading over
 * one-second slices of load: the garbage collector swings it by tens of MB whatever the store
 * holds. Each measurement gets a new process, so both have the same history.
 */
async function servingRss(dataDir: string): Promise<number> {
  const [appPort, idpPort] = await Promise.all([freePort(), freePort()]);
  const app = startApp(appPort, idpPort, dataDir);
  const base = `http://localhost:${appPort}`;
  try {
    await waitReady(`${base}/healthz`);
    const { browser } = await signIn(base);
    const cookie = await browser.jar.getCookieString(base);
    await load(`${base}/profile`, cookie); // grows the heap and compiles the hot paths first
    let lowest = Infinity;
    for (let i = 0; i < 8; i++) {
      await wrk(`${base}/profile`, { connections: CONNECTIONS, seconds: 1, headers: { cookie, accept: 'text/html' } });
      lowest = Math.min(lowest, rssMb(app));
    }
    return lowest;
  } finally {
    await stop(app);
  }
}

/** Sessions live in the store, not in memory: the same app with 100 stored sessions and with 100,000. */
async function sessionMemory(): Promise<[number, number]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-bench-sessions-'));
  try {
    const database = openSqlite(path.join(dir, 'app.sqlite'));
    await migrateToLatest(database.db);
    const put = async (db: typeof database.db, n: number, from: number) => {
      for (let start = from; start < from + n; start += 1000) {
        const rows = Array.from({ length: Math.min(1000, from + n - start) }, (_, k) => {
          const i = start + k;
          const session = { cookie: { expires: Date.now() + 3600_000 }, data: { userSub: `bench|${i % 1000}`, id_token: 'x'.repeat(900) } };
          return { id: `bench-${i}-${crypto.randomBytes(8).toString('hex')}`, user_sub: session.data.userSub, oidc_sid: null, meta: null, data: JSON.stringify(session), created_at: Date.now(), updated_at: Date.now(), expires_at: session.cookie.expires };
        });
        await db.insertInto('sessions').values(rows).execute();
      }
    };
    await put(database.db, 100, 0);
    await database.close();
    const few = await servingRss(dir);
    const again = openSqlite(path.join(dir, 'app.sqlite'));
    await put(again.db, 99_900, 100);
    await again.close();
    return [few, await servingRss(dir)];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function load(url: string, cookie?: string, connections = CONNECTIONS) {
  const r = await wrk(url, { connections, seconds: SECONDS, headers: cookie ? { cookie, accept: 'text/html' } : {} });
  if (r.bad > 0) throw new Error(`${url}: ${r.bad} answers other than 2xx and 3xx`);
  return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors };
}

/**
 * One full sign-in: app /login -> provider page -> credentials (or a social button's
 * confirmation) -> /callback -> dashboard; returns ms spent in the app.
 */
async function signIn(base: string, user: { email: string; password: string } | 'github' = MEMBER): Promise<{ browser: TestBrowser; appMs: number; totalMs: number }> {
  const browser = new TestBrowser();
  let appMs = 0;
  const timed = browser.request.bind(browser);
  browser.request = async (url, init) => {
    const t = performance.now();
    const page = await timed(url, init);
    if (url.startsWith(base)) appMs += performance.now() - t;
    return page;
  };
  const started = performance.now();
  let page;
  if (user === 'github') {
    const confirm = await browser.get(`${base}/login/github`);
    const action = /action="([^"]+\/connection\/github)"/.exec(confirm.body)![1]!;
    page = await browser.post(new URL(action, confirm.url).href, {});
  } else {
    const loginPage = await browser.get(`${base}/dashboard`);
    const action = /action="([^"]+\/login)"/.exec(loginPage.body)![1]!;
    page = await browser.post(new URL(action, loginPage.url).href, { email: user.email, password: user.password });
  }
  if (!page.url.endsWith('/dashboard') || page.status !== 200) throw new Error(`sign-in ended at ${page.url} (${page.status})`);
  return { browser, appMs, totalMs: performance.now() - started };
}

/** The parts measured on the demo member with 50,000 transactions beside bare Express (one app process, the sources through tsx). */
async function heavyMemberRows(results: Array<[string, string]>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-bench-'));
  // Give the demo member a heavy year (50,000 transactions) before the app starts.
  const database = openSqlite(path.join(dataDir, 'app.sqlite'));
  const db = database.db;
  await migrateToLatest(db);
  const finance = createFinance(db);
  await finance.categories.ensureSeeded(HEAVY_SUB, new Date());
  const categories = await finance.categories.list(HEAVY_SUB);
  const account = await finance.accounts.create(HEAVY_SUB, { name: 'Bench', currency: 'USD' }, new Date());
  const month = monthOf(todayOf(systemClock));
  const rows: TransactionInput[] = Array.from({ length: 50_000 }, (_, i) => ({
    accountId: account,
    date: `${addMonths(month, -(i % 12))}-${String((i % 28) + 1).padStart(2, '0')}`,
    description: `Shop ${i % 997}`,
    amountMinor: -((i * 7919) % 20000) - 100,
    categoryId: categories[i % categories.length]!.id,
    // Every 50th row is split across two categories.
    ...(i % 50 === 0 ? { splits: [{ categoryId: categories[0]!.id, amountMinor: -50, memo: null }, { categoryId: categories[1]!.id, amountMinor: -((i * 7919) % 20000) - 50, memo: null }] } : {}),
  }));
  // A savings account fed by a monthly transfer, and schedules: the dashboard then shows what is
  // coming up and the forecast's warnings.
  const savings = await finance.accounts.create(HEAVY_SUB, { name: 'Bench savings', currency: 'USD', type: 'savings' }, new Date());
  for (let i = 0; i < 12; i++) rows.push({ accountId: account, date: `${addMonths(month, -i)}-03`, description: 'To savings', amountMinor: -50_000, categoryId: null, transfer: { accountId: savings, amountMinor: 50_000 } });
  await finance.transactions.insertMany(HEAVY_SUB, rows, new Date());
  const today = todayOf(systemClock);
  for (const [description, amountMinor, frequency] of [['Rent', -150_000, 'months'], ['Salary', 400_000, 'months'], ['Gym', -4_000, 'weeks'], ['Coffee', -450, 'days']] as const) {
    await finance.schedules.create(HEAVY_SUB, { accountId: account, description, amountMinor, categoryId: null, transferAccountId: null, frequency, every: 1, anchorDay: Number(today.slice(8, 10)), nextDate: today }, new Date());
  }
  for (let i = 0; i < 12; i++) await finance.budgets.setMonth(HEAVY_SUB, addMonths(month, -i), 'USD', categories.slice(0, 8).map((c) => ({ categoryId: c.id, amount: 50000 })));
  // The worst case for duplicate detection: every existing and every imported row has the same amount and date.
  const dedupeAccounts = new Map<number, string>();
  if (runs('dedupe')) {
    for (const n of DEDUPE_SIZES) {
      const id = await finance.accounts.create(HEAVY_SUB, { name: `Same amount ${n}`, currency: 'USD' }, new Date());
      dedupeAccounts.set(n, id);
      await finance.transactions.insertMany(HEAVY_SUB, Array.from({ length: n }, (_, i) => ({ accountId: id, date: '2021-06-15', description: `Existing ${i}`, amountMinor: -1234, categoryId: null })), new Date());
    }
  }

  const [appPort, idpPort, barePort] = await Promise.all([freePort(), freePort(), freePort()]);
  const app = startApp(appPort, idpPort, dataDir);
  const bare = spawn(process.execPath, ['bench/bare-express.mjs'], { env: { PATH: process.env.PATH ?? '', PORT: String(barePort) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://localhost:${appPort}`;
  try {
    await Promise.all([waitReady(`${base}/healthz`), waitReady(`http://127.0.0.1:${barePort}/`)]);
    const { browser } = await signIn(base);
    const cookie = await browser.jar.getCookieString(base);

    // Warm up (the JIT compiles the hot paths), then the 50,000-row member's pages beside bare Express.
    await load(`http://127.0.0.1:${barePort}/`);
    await load(`${base}/dashboard`, cookie);
    const row = (r: { rps: number; p50: number; p99: number; errors: number }) =>
      `${r.rps.toFixed(0)} req/s · p50 ${r.p50} ms · p99 ${r.p99} ms${r.errors ? ` · ${r.errors} errors/timeouts` : ''}`;
    if (runs('dashboard')) {
      const bareRun = await load(`http://127.0.0.1:${barePort}/`);
      const dashboard = await load(`${base}/dashboard`, cookie);
      results.push(['bare Express 5 "hello" (beside the 50,000-row member)', row(bareRun)]);
      results.push(['dashboard, 50,000 transactions', `${row(dashboard)} · ${(dashboard.rps / bareRun.rps).toFixed(2)} of bare`]);
    }

    if (runs('dashboard')) {
      const one = await load(`${base}/dashboard`, cookie, 1);
      results.push(['dashboard, 50,000 transactions, 1 connection', `p50 ${one.p50} ms · p99 ${one.p99} ms (target p50 < 50 ms)`]);
    }

    if (runs('accounts')) {
      // Balances, net worth and its 12-month chart of the same 50,000-row user.
      const accounts = await load(`${base}/accounts`, cookie);
      results.push(['/accounts, 50,000 transactions', row(accounts)]);
      const one = await load(`${base}/accounts`, cookie, 1);
      results.push(['/accounts, 50,000 transactions, 1 connection', `p50 ${one.p50} ms · p99 ${one.p99} ms`]);
    }

    if (runs('forecast')) {
      // 90 days of four schedules (one daily) over the balances of the same user.
      const forecast = await load(`${base}/schedules/forecast`, cookie);
      results.push(['/schedules/forecast, 50,000 transactions', row(forecast)]);
      const one = await load(`${base}/schedules/forecast`, cookie, 1);
      results.push(['/schedules/forecast, 50,000 transactions, 1 connection', `p50 ${one.p50} ms · p99 ${one.p99} ms`]);
      const schedules = await load(`${base}/schedules`, cookie);
      results.push(['/schedules', row(schedules)]);
      const suggestions = await load(`${base}/schedules/suggestions`, cookie, 1);
      results.push(['/schedules/suggestions (100 days of rows), 1 connection', `p50 ${suggestions.p50} ms · p99 ${suggestions.p99} ms`]);
    }

    if (runs('signin')) {
      // Users with a light dashboard, so this measures signing in rather than the 50,000-row dashboard.
      for (const [label, user] of [
        ['full sign-ins, one after another, password', ADMIN],
        ['full sign-ins, one after another, social button', 'github'],
      ] as const) {
        const N = 60;
        for (let i = 0; i < 5; i++) await signIn(base, user);
        let appMs = 0;
        const t = performance.now();
        for (let i = 0; i < N; i++) appMs += (await signIn(base, user)).appMs;
        const total = performance.now() - t;
        results.push([label, `${((N * 1000) / total).toFixed(1)} per second (target > 40) · app's share ${((100 * appMs) / total).toFixed(0)}% · ${(total / N).toFixed(1)} ms each`]);
      }
    }

    if (runs('import')) {
      // Importing 50,000 CSV rows through the real upload, preview and confirmation.
      const lines = ['Date,Description,Amount'];
      for (let i = 0; i < 50_000; i++) lines.push(`2020-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')},Import ${i},-${(i % 5000) + 1}.${String(i % 100).padStart(2, '0')}`);
      const importsPage = await browser.get(`${base}/import`);
      const token = /name="_csrf" value="([^"]+)"/.exec(importsPage.body)![1]!;
      const form = new FormData();
      for (const [k, v] of Object.entries({ _csrf: token, accountId: account, format: 'signed', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes' })) form.append(k, v);
      form.append('file', new Blob([lines.join('\n')]), 'bench.csv');
      let started = performance.now();
      const preview = await browser.request(`${base}/import/preview`, { method: 'POST', body: form });
      const previewMs = performance.now() - started;
      const confirmAction = /action="(\/import\/[^"]+\/confirm)"/.exec(preview.body)![1]!;
      // The confirmation writes in one database transaction: how long other requests wait meanwhile.
      // /healthz reads nothing; /profile reads the session and the person, beside the open transaction.
      const probe = healthProbe(`${base}/healthz`);
      const signedIn = healthProbe(`${base}/profile`, { cookie, accept: 'text/html' });
      started = performance.now();
      await browser.post(`${base}${confirmAction}`, { _csrf: token });
      const confirmMs = performance.now() - started;
      await Promise.all([probe.stop(), signedIn.stop()]);
      results.push(['import 50,000 CSV rows', `preview ${previewMs.toFixed(0)} ms · confirm ${confirmMs.toFixed(0)} ms · asked every 10 ms during the confirmation: /healthz ${probe.summary()}; signed-in /profile ${signedIn.summary()}`]);
    }

    if (runs('dedupe')) {
      // N rows of one amount on one date against N such rows already there, while another client
      // asks /healthz every 10 ms: how long the preview takes, and the slowest answer meanwhile.
      for (const n of DEDUPE_SIZES) {
        const lines = ['Date,Description,Amount'];
        for (let i = 0; i < n; i++) lines.push(`2021-06-15,Imported ${i},-12.34`);
        const page = await browser.get(`${base}/import`);
        const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
        const form = new FormData();
        for (const [k, v] of Object.entries({ _csrf: token, accountId: dedupeAccounts.get(n)!, format: 'signed', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes' })) form.append(k, v);
        form.append('file', new Blob([lines.join('\n')]), 'same.csv');
        const probe = healthProbe(`${base}/healthz`);
        const started = performance.now();
        const preview = await browser.request(`${base}/import/preview`, { method: 'POST', body: form });
        const ms = performance.now() - started;
        const slowest = await probe.stop();
        const target = n <= 8_000 ? 1000 : 5000;
        results.push([`preview ${n.toLocaleString('en-US')} same-amount rows against ${n.toLocaleString('en-US')}`, `${ms.toFixed(0)} ms (target < ${target} ms, status ${preview.status}) · slowest /healthz meanwhile ${slowest.toFixed(0)} ms (target < 100 ms)`]);
      }
    }
  } finally {
    // Both gone before the memory part starts its own app processes.
    await Promise.all([stop(app), stop(bare)]);
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

}

async function main() {
  const results: Array<[string, string]> = [];
  if (runs('speed')) results.push(...(await speedRows({ seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS })));
  if (runs('gc')) results.push(...(await gcRows({ seconds: SECONDS, connections: CONNECTIONS, pages: PROFILE_PAGES })));
  if (runs('profile')) results.push(...(await profileRows({ seconds: SECONDS, rounds: 1, connections: CONNECTIONS, dir: PROFILE_DIR, pages: PROFILE_PAGES })));
  if (runs('load')) {
    const env = process.env;
    results.push(...(await loadRows({ users: Number(env.BENCH_LOAD_USERS ?? 200), seconds: Number(env.BENCH_LOAD_SECONDS ?? 60), postgresUrl: env.BENCH_POSTGRES_URL ?? env.PFC_TEST_POSTGRES_URL, redisUrl: env.BENCH_REDIS_URL ?? env.PFC_TEST_REDIS_URL })));
  }
  if (HEAVY_PARTS.some(runs)) await heavyMemberRows(results);

  if (runs('scale')) {
    const env = process.env;
    results.push(
      ...(await scaleRows({ seconds: SECONDS, connections: CONNECTIONS, postgresUrl: env.BENCH_POSTGRES_URL ?? env.PFC_TEST_POSTGRES_URL, redisUrl: env.BENCH_REDIS_URL ?? env.PFC_TEST_REDIS_URL })),
    );
  }

  if (runs('memory')) {
    const [rss100, rss100k] = await sessionMemory();
    results.push(['resident memory, 100 vs 100,000 stored sessions', `${rss100.toFixed(0)} MB vs ${rss100k.toFixed(0)} MB: ${(rss100k - rss100).toFixed(1)} MB apart (target < 30 MB)`]);
  }

  const width = Math.max(...results.map(([n]) => n.length));
  process.stdout.write(`\nmachine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${CONNECTIONS} connections, ${SECONDS} s per run\n\n`);
  for (const [n, v] of results) process.stdout.write(`${n.padEnd(width)} | ${v}\n`);
}

/** Asks `url` every 10 ms (with `headers`, such as a signed-in cookie) until stopped; the slowest answer, and how many. */
function healthProbe(url: string, headers: Record<string, string> = {}): { stop(): Promise<number>; summary(): string } {
  let done = false;
  const times: number[] = [];
  const running = (async () => {
    while (!done) {
      const t = performance.now();
      const response = await fetch(url, { headers, redirect: 'manual' });
      if (response.status !== 200) throw new Error(`${url} answered ${response.status} during the probe`);
      await response.arrayBuffer();
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const slowest = () => Math.max(0, ...times);
  return {
    async stop() {
      done = true;
      await running;
      return slowest();
    },
    summary() {
      const sorted = [...times].sort((a, b) => a - b);
      return `slowest ${slowest().toFixed(0)} ms, median ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(0)} ms over ${times.length} answers`;
    },
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
