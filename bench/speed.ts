/**
 * The speed part of the benchmark (issue targets): the signed-in `/profile`, the demo member's
 * dashboard and adding a transaction, against a bare Express "hello" (the physical ceiling) and
 * the lean reference (bench/lean-reference.mjs, the practical one), in alternating rounds with wrk
 * from its own process; medians of the rounds. The app runs compiled (npm run build), as deployed,
 * with its request log going to a file like the lean reference's.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestBrowser } from '../test/helpers/browser.js';
import { csrfTokenOf, signIn } from '../test/helpers/flows.js';
import { freePort } from '../test/helpers/ports.js';
import { startProviderProcess, startServerProcess, type ServerProcess } from '../test/helpers/processes.js';
import type { Stack } from '../test/helpers/stack.js';
import { median, wrk, type WrkOptions, type WrkResult } from './wrk.js';

interface Options {
  seconds: number;
  rounds: number;
  connections: number;
}

/** The Flask version's /profile against bare Express on the issue's machine (7,000 of about 16,000 req/s). */
const FLASK_SHARE_OF_BARE = 0.44;

/** CPU time a process has used so far, user and system, in milliseconds (Linux's /proc, 100 ticks a second). */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return 0;
  }
}

/** The largest resident size of the processes while `work` runs, sampled every 200 ms. */
async function peakRss<T>(pids: () => number[], work: () => Promise<T>): Promise<[T, number]> {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, ...pids().map(rssMb))), 200);
  try {
    return [await work(), peak];
  } finally {
    clearInterval(timer);
  }
}

async function startedAfter(url: string, started: number, server?: ServerProcess): Promise<number> {
  for (;;) {
    if (server && server.child.exitCode !== null) throw new Error(`the app exited early:\n${server.output()}`);
    try {
      if ((await fetch(url)).ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) throw new Error(`${url} did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function startPlain(script: string, port: number, env: Record<string, string> = {}): { child: ChildProcess; firstLine: Promise<string> } {
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve(out);
    });
  });
  return { child, firstLine };
}

export interface SignedInApp {
  server: ServerProcess;
  base: string;
  cookie: string;
  startupMs: number;
  /** The development provider's process, when it runs apart from the app. */
  provider?: ChildProcess;
  /** The add-transaction form, filled in. */
  addBody: string;
  logFile: string;
  dir: string;
}

/**
 * Where the identity provider runs: `embedded`, in the app's process (the development setup of
 * `npm start`, which also writes the demo member's year), or `separate`, a process of its own, as
 * Auth0 is to the app as deployed; the bench then writes the demo member's year itself, before the
 * app starts, so both setups serve the same data.
 */
export type ProviderSetup = 'embedded' | 'separate';

/** The client the separate provider registers and the app signs in with. */
const BENCH_CLIENT = { id: 'bench-client', secret: 'bench-client-secret-0123456789abcdef' };

async function seedDemoYear(dataDir: string): Promise<void> {
  const [{ openSqlite }, { migrateToLatest }, { createFinance }, { seedDemoData }, { DEMO_MEMBER_SUB }, { systemClock }] = await Promise.all([
    import('../src/db/database.js'),
    import('../src/db/migrations.js'),
    import('../src/features/finance.js'),
    import('../src/features/demo/seed.js'),
    import('../src/dev-idp/accounts.js'),
    import('../src/clock/clock.js'),
  ]);
  const database = openSqlite(path.join(dataDir, 'app.sqlite'), { checkpointIntervalMs: 0 });
  try {
    await migrateToLatest(database.db);
    await seedDemoData(createFinance(database.db), DEMO_MEMBER_SUB, systemClock);
  } finally {
    await database.close();
  }
}

export async function startSignedIn(env: Record<string, string>, nodeArgs: string[] = [], provider: ProviderSetup = 'embedded'): Promise<SignedInApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-bench-speed-'));
  const [port, idpPort] = await Promise.all([freePort(), freePort()]);
  const logFile = path.join(dir, 'requests.log');
  const base = `http://localhost:${port}`;
  let separate: ReturnType<typeof startProviderProcess> | undefined;
  let idpEnv: Record<string, string> = { DEV_IDP_PORT: String(idpPort) };
  if (provider === 'separate') {
    separate = startProviderProcess({ port: idpPort, dataDir: path.join(dir, 'provider'), publicUrl: base, client: BENCH_CLIENT });
    const [issuer] = await Promise.all([separate.issuer, seedDemoYear(dir)]);
    idpEnv = { AUTH0_ISSUER_BASE_URL: issuer, AUTH0_CLIENT_ID: BENCH_CLIENT.id, AUTH0_CLIENT_SECRET: BENCH_CLIENT.secret };
  }
  const started = performance.now();
  // Logging on, as deployed.
  const server = startServerProcess({ PORT: String(port), BASE_URL: base, DATA_DIR: dir, LOG_LEVEL: 'info', ...idpEnv, ...env }, { built: true, nodeArgs, stdoutFile: logFile });
  const startupMs = await startedAfter(`${base}/healthz`, started, server);
  const browser = new TestBrowser();
  await signIn(browser, { baseUrl: base, idp: { issuer: `http://localhost:${idpPort}` } } as unknown as Stack);
  const page = await browser.get(`${base}/transactions`);
  const form = page.body.slice(page.body.indexOf('id="add-transaction"'));
  const accountId = /<option value="([^"]+)"[^>]*selected/.exec(form)?.[1];
  if (!accountId) throw new Error('no account is selected on the add form');
  const today = /name="date"[^>]*value="(\d{4}-\d\d-\d\d)"/.exec(form)![1]!;
  // Three years back: outside the dashboard's months, so the rows the add rounds write do not
  // change what the next round's dashboard measures (their month's totals are still recomputed).
  const date = `${Number(today.slice(0, 4)) - 3}${today.slice(4)}`;
  const addBody = new URLSearchParams({ _csrf: csrfTokenOf(page), date, description: 'Benchmark coffee', memo: '', kind: 'out', amount: '4.20', accountId, categoryId: '', cleared: '' }).toString();
  return { server, provider: separate?.child, base, cookie: await browser.jar.getCookieString(base), startupMs, addBody, logFile, dir };
}

export async function stopApp(app: SignedInApp) {
  await app.server.stop();
  app.provider?.kill('SIGTERM');
  fs.rmSync(app.dir, { recursive: true, force: true });
}

/**
 * The wrk load for one of the signed-in app's measured pages: a GET of `/profile` or
 * `/dashboard`, or `add`, the add-transaction form POST (same-origin, with its CSRF token), or
 * `add then dashboard`: each add followed by a dashboard, whose figures the add has just changed
 * (the dashboard keeps its figures while the ledger is unchanged: this is its uncached rate).
 */
export function appLoad(app: SignedInApp, page: string, connections: number): { url: string; o: Omit<WrkOptions, 'seconds'> } {
  const headers = { cookie: app.cookie, accept: 'text/html' };
  if (page === 'add' || page === 'add then dashboard') {
    const post = { body: app.addBody, contentType: 'application/x-www-form-urlencoded' };
    return { url: `${app.base}/transactions`, o: { connections, headers: { ...headers, origin: app.base }, post, ...(page === 'add' ? {} : { thenGet: '/dashboard' }) } };
  }
  return { url: `${app.base}/${page}`, o: { connections, headers } };
}

const fmt = (r: WrkResult) => `${r.rps.toFixed(0)} req/s · p50 ${r.p50.toFixed(1)} · p90 ${r.p90.toFixed(1)} · p99 ${r.p99.toFixed(1)} ms${r.bad + r.errors ? ` · ${r.bad} bad, ${r.errors} errors` : ''}`;

/** Median of each figure over the rounds, and the worst p99. */
function summary(rs: WrkResult[]) {
  return { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), worstP99: Math.max(...rs.map((r) => r.p99)), bad: rs.reduce((a, r) => a + r.bad + r.errors, 0) };
}

let built = false;
/** Compiles the app (npm run build) once per benchmark run: the parts that measure it run dist/, as deployed. */
export function buildApp(): void {
  if (built) return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  built = true;
}

export async function speedRows(o: Options): Promise<Array<[string, string]>> {
  buildApp();
  const rows: Array<[string, string]> = [];
  const [barePort, leanPort, leanBornPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const bare = startPlain('bench/bare-express.mjs', barePort);
  const lean = startPlain('bench/lean-reference.mjs', leanPort);
  const leanBorn = startPlain('bench/lean-reference.mjs', leanBornPort, { LEAN_PROTOTYPES: '1' });
  const leanCookie = /cookie (\S+)/.exec(await lean.firstLine)![1]!;
  const leanBornCookie = /cookie (\S+)/.exec(await leanBorn.firstLine)![1]!;
  await bare.firstLine;
  // The app as deployed, its provider elsewhere (as Auth0 is); and the development setup of `npm start`,
  // the provider in the app's process, for its startup, its /profile and its memory.
  const app = await startSignedIn({}, [], 'separate');
  const dev = await startSignedIn({});
  const html = { accept: 'text/html' };
  const targets: Record<string, { url: string; o: Omit<Parameters<typeof wrk>[1], 'seconds'>; app?: boolean; dev?: boolean; pid?: number }> = {
    bare: { url: `http://127.0.0.1:${barePort}/`, o: { connections: o.connections }, pid: bare.child.pid! },
    lean: { url: `http://127.0.0.1:${leanPort}/profile`, o: { connections: o.connections, headers: { cookie: leanCookie, ...html } }, pid: lean.child.pid! },
    'lean born': { url: `http://127.0.0.1:${leanBornPort}/profile`, o: { connections: o.connections, headers: { cookie: leanBornCookie, ...html } }, pid: leanBorn.child.pid! },
    profile: { ...appLoad(app, 'profile', o.connections), app: true },
    'profile, development setup': { ...appLoad(dev, 'profile', o.connections), pid: dev.server.child.pid!, dev: true },
    dashboard: { ...appLoad(app, 'dashboard', o.connections), app: true },
    add: { ...appLoad(app, 'add', o.connections), app: true },
    'add then dashboard': { ...appLoad(app, 'add then dashboard', o.connections), app: true },
    'profile at 100': { ...appLoad(app, 'profile', 100), app: true },
    'profile at 200': { ...appLoad(app, 'profile', 200), app: true },
    'lean at 200': { url: `http://127.0.0.1:${leanPort}/profile`, o: { connections: 200, headers: { cookie: leanCookie, ...html } }, pid: lean.child.pid! },
  };
  const results = new Map<string, WrkResult[]>(Object.keys(targets).map((k) => [k, []]));
  const cpu = new Map<string, number[]>(Object.keys(targets).map((k) => [k, []]));
  let rss = 0;
  /** The load during which the app's resident size peaked. */
  let rssLoad = '';
  let devRss = 0;
  try {
    for (const t of Object.values(targets)) await wrk(t.url, { ...t.o, seconds: 2 });
    for (let round = 0; round < o.rounds; round++) {
      for (const [name, t] of Object.entries(targets)) {
        const pid = t.app ? app.server.child.pid! : t.pid!;
        const cpuBefore = cpuMs(pid);
        const [r, peak] = await peakRss(() => (t.app || t.dev ? [pid] : []), () => wrk(t.url, { ...t.o, seconds: o.seconds }));
        if (t.app && peak > rss) [rss, rssLoad] = [peak, name];
        if (t.dev) devRss = Math.max(devRss, peak);
        results.get(name)!.push(r);
        cpu.get(name)!.push(((cpuMs(pid) - cpuBefore) * 1000) / r.requests);
      }
    }
  } finally {
    await Promise.all([stopApp(app), stopApp(dev)]);
  }

  const s = Object.fromEntries([...results].map(([k, v]) => [k, summary(v)]));
  const cpuPer = (k: string) => median(cpu.get(k)!);
  const each = (k: string) => `${results.get(k)!.map(fmt).join(' / ')} · CPU ${cpuPer(k).toFixed(0)} µs a request`;
  const share = (k: string, of: string) => s[k]!.rps / s[of]!.rps;
  rows.push([`bare Express 5 "hello"`, each('bare')]);
  rows.push([`lean reference /profile (${(share('lean', 'bare')).toFixed(2)} of bare)`, each('lean')]);
  rows.push([`lean reference, requests born with Express's prototypes as the app's are`, `${each('lean born')} · median ${share('lean born', 'lean').toFixed(2)} of the plain lean reference`]);
  // Beside the request rates, the same ratio by CPU time a request (lean's over the page's): steadier
  // on a shared machine, where a round's rate moves with what the neighbours take.
  const byCpu = (k: string, of: string) => cpuPer(of) / cpuPer(k);
  rows.push([`/profile signed in`, `${each('profile')} · median ${share('profile', 'lean').toFixed(2)} of lean (${byCpu('profile', 'lean').toFixed(2)} by CPU a request; ${share('profile', 'lean born').toFixed(2)} of the lean reference built the same way), ${share('profile', 'bare').toFixed(2)} of bare (target 0.6 of lean, p99 < 25 ms)`]);
  rows.push([`demo dashboard`, `${each('dashboard')} · median ${share('dashboard', 'lean').toFixed(2)} of lean (${byCpu('dashboard', 'lean').toFixed(2)} by CPU a request; ${share('dashboard', 'lean born').toFixed(2)} of the lean reference built the same way; target 0.35, p99 < 40 ms)`]);
  rows.push([`dashboard right after each change`, `${each('add then dashboard')} · adds and dashboards alternately: ${(s['add then dashboard']!.rps / 2).toFixed(0)} dashboards a second, each recomputed`]);
  rows.push([`add a transaction (POST)`, `${each('add')} · median ${s.add!.rps.toFixed(0)}/s (target 1,000/s, p99 < 50 ms)`]);
  rows.push([`/profile at 100 connections`, each('profile at 100')]);
  rows.push([`/profile at 200 connections`, `${each('profile at 200')} · lean at 200: ${each('lean at 200')}`]);
  rows.push([`/profile, development setup (the provider in the app's process)`, `${each('profile, development setup')} · median ${share('profile, development setup', 'lean').toFixed(2)} of lean (${byCpu('profile, development setup', 'lean').toFixed(2)} by CPU a request)`]);
  rows.push([`peak resident memory under load`, `the app ${rss.toFixed(0)} MB (target < 200 MB), reached during "${rssLoad}" · the development setup, app and provider in one process, ${devRss.toFixed(0)} MB`]);
  rows.push([`startup to first answer, development setup (npm start: the provider's first start and the demo member's year included) · the app as deployed`, `${dev.startupMs.toFixed(0)} ms (target < 2 s) · ${app.startupMs.toFixed(0)} ms`]);

  // WORKERS=2 on SQLite: /profile against bare, alternating.
  const two = await startSignedIn({ WORKERS: '2' });
  try {
    const pids = () => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
      try {
        return Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]) === two.server.child.pid;
      } catch {
        return false;
      }
    });
    const twoResults: WrkResult[] = [];
    const bareResults: WrkResult[] = [];
    // The primary hosts the development provider and the housekeeping; the workers are the app as
    // deployed against a real tenant, so their figure is the one the memory target is about.
    let workerRss = 0;
    let primaryRss = 0;
    const twoLoad = appLoad(two, 'profile', o.connections);
    await wrk(twoLoad.url, { ...twoLoad.o, seconds: 2 });
    for (let round = 0; round < o.rounds; round++) {
      bareResults.push(await wrk(targets.bare!.url, { connections: o.connections, seconds: o.seconds }));
      const [[r, primaryPeak], workerPeak] = await peakRss(pids, () => peakRss(() => [two.server.child.pid!], () => wrk(twoLoad.url, { ...twoLoad.o, seconds: o.seconds })));
      twoResults.push(r);
      workerRss = Math.max(workerRss, workerPeak);
      primaryRss = Math.max(primaryRss, primaryPeak);
    }
    const ratio = summary(twoResults).rps / summary(bareResults).rps;
    rows.push([`/profile, WORKERS=2, SQLite`, `${twoResults.map(fmt).join(' / ')} · median ${ratio.toFixed(2)} of bare (the Flask version: ${FLASK_SHARE_OF_BARE} of bare) · peak resident memory: largest worker ${workerRss.toFixed(0)} MB (target < 200 MB), primary with the development provider ${primaryRss.toFixed(0)} MB`]);
    // Two processes writing one file: each add waits for the other's write lock now and then.
    const twoAdds = appLoad(two, 'add', o.connections);
    await wrk(twoAdds.url, { ...twoAdds.o, seconds: 2 });
    const addResults: WrkResult[] = [];
    for (let round = 0; round < o.rounds; round++) addResults.push(await wrk(twoAdds.url, { ...twoAdds.o, seconds: o.seconds }));
    rows.push([`add a transaction, WORKERS=2, SQLite (two processes writing one file)`, `${addResults.map(fmt).join(' / ')} · median ${summary(addResults).rps.toFixed(0)}/s`]);
  } finally {
    await stopApp(two);
  }

  bare.child.kill('SIGTERM');
  lean.child.kill('SIGTERM');
  leanBorn.child.kill('SIGTERM');
  return rows;
}

/**
 * CPU profiles of the app (node --cpu-prof), one process per page, each summarised over the
 * load's seconds by bench/profile-summary.mjs: what to read before changing anything for speed.
 */
export async function profileRows(o: Options & { dir: string; pages: string[] }): Promise<Array<[string, string]>> {
  buildApp();
  const rows: Array<[string, string]> = [];
  fs.mkdirSync(o.dir, { recursive: true });
  for (const page of o.pages) {
    const before = new Set(fs.readdirSync(o.dir));
    const app = await startSignedIn({}, ['--cpu-prof', `--cpu-prof-dir=${o.dir}`], 'separate');
    const load = appLoad(app, page, o.connections);
    const run = (seconds: number) => wrk(load.url, { ...load.o, seconds });
    try {
      await run(2);
      rows.push([`${page} under --cpu-prof`, fmt(await run(o.seconds))]);
    } finally {
      await stopApp(app);
    }
    for (const f of fs.readdirSync(o.dir).filter((f) => !before.has(f) && f.endsWith('.cpuprofile'))) {
      process.stdout.write(`\n## ${page}: ${f}\n`);
      process.stdout.write(execFileSync(process.execPath, ['bench/profile-summary.mjs', path.join(o.dir, f), '25', String(o.seconds)], { encoding: 'utf8' }));
    }
  }
  return rows;
}
