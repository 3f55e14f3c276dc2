/**
 * The load run (BENCH_ONLY=load): 200 signed-in people at once for 60 s, each looping over page
 * views, transaction adds and edits and budget saves, with one CSV import each, on SQLite (one
 * process) and on PostgreSQL + Redis with WORKERS=2. Afterwards every person's rows and totals
 * are read from the database and compared with what the answers said happened: no 5xx, nothing
 * lost, nothing doubled; and each person's dashboard, as served at the end, with its figures
 * computed afresh from the rows. Requests go through fetch from this process, not through the app's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { createDashboardRepository } from '../src/features/dashboard/repository.js';
import { createDashboardService } from '../src/features/dashboard/service.js';
import { createFinance } from '../src/features/finance.js';
import { freePort } from '../test/helpers/ports.js';
import { startServerProcess, waitUntilReady } from '../test/helpers/processes.js';
import { all } from '../test/helpers/sql.js';
import { createPeople, formFields, setUp, type Person } from './load-people.js';
import { admin } from './scale.js';
import { buildApp } from './speed.js';

type Kind = 'page' | 'add' | 'edit' | 'budget' | 'import';

interface Options {
  users: number;
  seconds: number;
  postgresUrl: string | undefined;
  redisUrl: string | undefined;
}

const PAGES = ['/dashboard', '/transactions', '/budgets', '/accounts', '/profile'];

/** One person's loop until `until`: mostly page views, then adds, edits and budget saves; one import. */
async function act(origin: string, p: Person, until: number, record: (kind: Kind, ms: number, status: number) => void) {
  const headers = { cookie: p.cookie, origin, accept: 'text/html' };
  // By address: this process resolving "localhost" for each of 200 new connections (on libuv's
  // four-thread pool) let them in at about five a second, which measured the client, not the app.
  const base = origin.replace('//localhost:', '//127.0.0.1:');
  const form = (body: Record<string, string>) => ({ method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: p.token, ...body }).toString(), redirect: 'manual' as const });
  const importAt = performance.now() + Math.random() * (until - performance.now()) * 0.6;
  let n = 0;
  while (performance.now() < until) {
    const roll = Math.random();
    const started = performance.now();
    let kind: Kind;
    let res: Response;
    if (!p.imported && started >= importAt) {
      kind = 'import';
      // Amounts of 100.37 and up: no add (1.00 to 99.99) matches one, so duplicate detection keeps all 20.
      const lines = ['Date,Description,Amount', ...Array.from({ length: 20 }, (_, i) => `${p.today},Imported ${i},-${100 + i}.37`)];
      const body = new FormData();
      for (const [k, v] of Object.entries({ _csrf: p.token, accountId: p.accountId, format: 'signed', delimiter: 'comma', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: 'yes' })) body.append(k, v);
      body.append('file', new Blob([lines.join('\n')], { type: 'text/csv' }), 'load.csv');
      const preview = await fetch(`${base}/import/preview`, { method: 'POST', headers, body, redirect: 'manual' });
      const html = await preview.text();
      const action = /action="(\/import\/[^"]+\/confirm)"/.exec(html)?.[1];
      res = action ? await fetch(`${base}${action}`, form({})) : preview;
      p.imported = true;
      if (res.status === 303) {
        p.rows += 20;
        p.sumMinor -= Array.from({ length: 20 }, (_, i) => (100 + i) * 100 + 37).reduce((x, y) => x + y, 0);
      }
    } else if (roll < 0.6) {
      kind = 'page';
      res = await fetch(`${base}${PAGES[n % PAGES.length]}`, { headers });
    } else if (roll < 0.8 || p.added.length === 0) {
      kind = 'add';
      const cents = 100 + Math.floor(Math.random() * 9900);
      res = await fetch(`${base}/transactions`, form({ date: p.today, description: `Load ${n}`, memo: '', kind: 'out', amount: (cents / 100).toFixed(2), accountId: p.accountId, categoryId: '', cleared: '' }));
      if (res.status === 303) {
        p.rows += 1;
        p.sumMinor -= cents;
        p.added.push({ id: null, amountMinor: -cents });
      }
    } else if (roll < 0.9) {
      kind = 'edit';
      // Change the amount of one of this person's rows, through its edit form as a person would.
      const list = await (await fetch(`${base}/transactions?month=${p.today.slice(0, 7)}`, { headers })).text();
      const id = /href="\/transactions\/([0-9a-f-]{36})\/edit/.exec(list)?.[1];
      const fields = id ? formFields(await (await fetch(`${base}/transactions/${id}/edit`, { headers })).text(), `action="/transactions/${id}"`) : null;
      const before = fields ? -Math.round(Number(fields.amount) * 100) : NaN;
      if (!fields || !Number.isFinite(before) || fields.kind !== 'out') {
        // Nothing of this person's to edit yet (or a transfer): the list view was the request.
        record('page', performance.now() - started, 200);
        n++;
        continue;
      } else {
        const cents = 100 + Math.floor(Math.random() * 9900);
        res = await fetch(`${base}/transactions/${id}`, form({ ...fields, amount: (cents / 100).toFixed(2) }));
        if (res.status === 303) {
          p.sumMinor += -cents - before;
          p.edits++;
        }
      }
    } else {
      kind = 'budget';
      const minor = 1000 + Math.floor(Math.random() * 90000);
      res = await fetch(`${base}/budgets`, form({ month: p.today.slice(0, 7), [`amount_${p.categoryId}`]: (minor / 100).toFixed(2) }));
      if (res.status === 303) p.budgetMinor = minor;
    }
    await res.arrayBuffer().catch(() => undefined);
    record(kind, performance.now() - started, res.status);
    n++;
  }
}

/** Each person's dashboard as the app serves it at the end (kept figures, on whichever worker answers): its income and spending. */
async function lastDashboards(origin: string, people: Person[]): Promise<Map<string, string>> {
  const shown = new Map<string, string>();
  for (let i = 0; i < people.length; i += 20) {
    await Promise.all(people.slice(i, i + 20).map(async (p) => {
      const html = await (await fetch(`${origin.replace('//localhost:', '//127.0.0.1:')}/dashboard`, { headers: { cookie: p.cookie, accept: 'text/html' } })).text();
      const stat = (label: string) => new RegExp(`<span class="label">${label}</span><span class="value">([^<]+)</span>`).exec(html)?.[1] ?? 'none';
      shown.set(p.sub, `income ${stat('Income')}, spending ${stat('Spending')}`);
    }));
  }
  return shown;
}

async function check(database: DatabaseHandle, people: Person[], dashboards: Map<string, string>): Promise<string[]> {
  const problems: string[] = [];
  // The same figures computed afresh from the stored rows, nothing kept.
  const fresh = createDashboardService({ finance: createFinance(database.db), versions: createDashboardRepository(database.db), limits: { pages: 0, pagesPerPerson: 0 } });
  for (const p of people) {
    const user = await database.db.selectFrom('users').select('currency').where('sub', '=', p.sub).executeTakeFirstOrThrow();
    const f = await fresh.figures({ sub: p.sub, currency: user.currency, displayName: null, numberStyle: 'dot', now: new Date(`${p.today}T12:00:00Z`), today: p.today }, p.today.slice(0, 7), undefined);
    const expected = `income ${f.money(f.s.income)}, spending ${f.money(f.s.expenses)}`;
    if (dashboards.get(p.sub) !== expected) problems.push(`${p.email}: the dashboard showed ${dashboards.get(p.sub)}, the rows give ${expected}`);
    const [t] = await all<{ n: number; s: number | null }>(database, 'SELECT count(*) AS n, sum(amount_minor) AS s FROM transactions WHERE user_sub = ?', p.sub);
    const [m] = await all<{ s: number | null; n: number | null }>(database, "SELECT sum(total_minor) AS s, sum(count) AS n FROM month_totals WHERE user_sub = ? AND category_key <> '>transfer'", p.sub);
    const [b] = await all<{ a: number }>(database, 'SELECT amount_minor AS a FROM budgets WHERE user_sub = ? AND category_id = ? AND month = ?', p.sub, p.categoryId, p.today.slice(0, 7));
    if (Number(t!.n) !== p.rows) problems.push(`${p.email}: ${t!.n} rows stored, ${p.rows} added`);
    if (Number(t!.s ?? 0) !== p.sumMinor) problems.push(`${p.email}: rows sum to ${t!.s}, the answers say ${p.sumMinor}`);
    if (Number(m!.s ?? 0) !== Number(t!.s ?? 0) || Number(m!.n ?? 0) !== Number(t!.n)) problems.push(`${p.email}: month totals ${m!.s}/${m!.n} differ from the rows ${t!.s}/${t!.n}`);
    if ((b?.a ?? null) !== p.budgetMinor) problems.push(`${p.email}: budget ${b?.a ?? 'none'}, last saved ${p.budgetMinor ?? 'none'}`);
  }
  return problems;
}

const pct = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]! : NaN);

async function oneRun(label: string, o: Options, env: Record<string, string>, target: (dataDir: string) => DatabaseHandle): Promise<Array<[string, string]>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-bench-load-'));
  const people = await createPeople(dataDir, o.users);
  const [port, idpPort] = await Promise.all([freePort(), freePort()]);
  const server = startServerProcess({ PORT: String(port), DEV_IDP_PORT: String(idpPort), DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env }, { built: true, stdoutFile: path.join(dataDir, 'requests.log') });
  const base = `http://localhost:${port}`;
  const rows: Array<[string, string]> = [];
  try {
    await waitUntilReady(`${base}/healthz`, server, 60_000);
    const ready: Person[] = [];
    for (let i = 0; i < people.length; i += 10) ready.push(...(await Promise.all(people.slice(i, i + 10).map((w, k) => setUp(base, idpPort, w, i + k)))));
    const times = new Map<Kind, number[]>();
    const statuses = new Map<string, number>();
    const until = performance.now() + o.seconds * 1000;
    const started = performance.now();
    await Promise.all(
      ready.map((p) =>
        act(base, p, until, (kind, ms, status) => {
          if (!times.has(kind)) times.set(kind, []);
          times.get(kind)!.push(ms);
          const key = `${status >= 500 ? '5xx' : status >= 400 ? '4xx' : 'ok'}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }),
      ),
    );
    const elapsed = (performance.now() - started) / 1000;
    const dashboards = await lastDashboards(base, ready);
    await server.stop();
    const database = target(dataDir);
    let problems: string[];
    try {
      problems = await check(database, ready, dashboards);
    } finally {
      await database.close();
    }
    const total = [...times.values()].reduce((a, t) => a + t.length, 0);
    const written = `${ready.reduce((a, p) => a + p.rows, 0)} rows written, ${ready.reduce((a, p) => a + p.edits, 0)} edits, ${ready.filter((p) => p.budgetMinor !== null).length} budgets`;
    rows.push([`load ${label}: ${o.users} people, ${o.seconds} s`, `${total} requests (${(total / elapsed).toFixed(0)}/s) · 5xx ${statuses.get('5xx') ?? 0} · 4xx ${statuses.get('4xx') ?? 0} · ${written} · ${problems.length === 0 ? 'every person\'s rows, sums, month totals and budget match what was answered, and their last dashboard the rows' : `${problems.length} mismatches: ${problems.slice(0, 3).join('; ')}`}`]);
    // The same requests as the app saw them (its log's responseTime: from the first middleware to the last byte handed to the socket).
    const served = fs
      .readFileSync(path.join(dataDir, 'requests.log'), 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { responseTime?: number };
          return typeof entry.responseTime === 'number' ? [entry.responseTime] : [];
        } catch {
          return [];
        }
      });
    rows.push([`  ${label}: in the app`, `${served.length} answers · p50 ${pct(served, 0.5)} ms · p99 ${pct(served, 0.99)} ms · max ${Math.max(...served)} ms`]);
    for (const [kind, t] of times) rows.push([`  ${label}: ${kind}`, `${t.length} · p50 ${pct(t, 0.5).toFixed(0)} ms · p99 ${pct(t, 0.99).toFixed(0)} ms · max ${Math.max(...t).toFixed(0)} ms`]);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

export async function loadRows(o: Options): Promise<Array<[string, string]>> {
  buildApp();
  const rows: Array<[string, string]> = [];
  rows.push(...(await oneRun('SQLite, one process', o, {}, (dataDir) => openDatabase({ kind: 'sqlite', file: path.join(dataDir, 'app.sqlite') }))));
  if (!o.postgresUrl || !o.redisUrl) {
    rows.push(['load PostgreSQL + Redis, WORKERS=2', 'skipped: set BENCH_POSTGRES_URL (or PFC_TEST_POSTGRES_URL) and BENCH_REDIS_URL (or PFC_TEST_REDIS_URL)']);
    return rows;
  }
  const name = `pfc_load_${crypto.randomBytes(4).toString('hex')}`;
  await admin(o.postgresUrl, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`);
  const url = new URL(o.postgresUrl);
  url.pathname = `/${name}`;
  try {
    rows.push(...(await oneRun('PostgreSQL + Redis, WORKERS=2', o, { DATABASE_URL: url.href, REDIS_URL: o.redisUrl, WORKERS: '2' }, () => openDatabase({ kind: 'postgres', url: url.href, poolMax: 2 }))));
  } finally {
    await admin(o.postgresUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  return rows;
}
