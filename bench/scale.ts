/**
 * The scale-out part of the benchmark: `/profile` and the demo member's dashboard with WORKERS=1
 * and WORKERS=2, on SQLite and on PostgreSQL + Redis. Each configuration gets a fresh app process
 * (and a fresh database) with the embedded provider and its seeded demo year.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TestBrowser } from '../test/helpers/browser.js';
import { signIn } from '../test/helpers/flows.js';
import { freePort } from '../test/helpers/ports.js';
import { startServerProcess, waitUntilReady } from '../test/helpers/processes.js';
import type { Stack } from '../test/helpers/stack.js';
import { wrk } from './wrk.js';

interface Options {
  seconds: number;
  connections: number;
  postgresUrl: string | undefined;
  redisUrl: string | undefined;
}

/** One statement on the PostgreSQL server (CREATE or DROP DATABASE), on a connection of its own. */
export async function admin(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function measure(base: string, cookie: string, page: string, o: Options) {
  const r = await wrk(`${base}${page}`, { connections: o.connections, seconds: o.seconds, headers: { cookie, accept: 'text/html' } });
  const bad = r.bad + r.errors;
  return `${r.rps.toFixed(0)} req/s · p50 ${r.p50} ms · p99 ${r.p99} ms${bad ? ` · ${bad} failed` : ''}`;
}

export async function scaleRows(o: Options): Promise<Array<[string, string]>> {
  const rows: Array<[string, string]> = [];
  const engines: Array<{ label: string; env?: () => Promise<{ env: Record<string, string>; drop(): Promise<void> }> }> = [{ label: 'SQLite' }];
  if (o.postgresUrl && o.redisUrl) {
    engines.push({
      label: 'PostgreSQL + Redis',
      env: async () => {
        const name = `pfc_bench_${crypto.randomBytes(4).toString('hex')}`;
        await admin(o.postgresUrl!, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`);
        const url = new URL(o.postgresUrl!);
        url.pathname = `/${name}`;
        return { env: { DATABASE_URL: url.href, REDIS_URL: o.redisUrl! }, drop: () => admin(o.postgresUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
      },
    });
  } else {
    rows.push(['PostgreSQL + Redis', 'skipped: set BENCH_POSTGRES_URL (or PFC_TEST_POSTGRES_URL) and BENCH_REDIS_URL (or PFC_TEST_REDIS_URL)']);
  }
  for (const engine of engines) {
    for (const workers of [1, 2]) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-bench-scale-'));
      const extra = engine.env ? await engine.env() : { env: {}, drop: async () => undefined };
      const [port, idpPort] = await Promise.all([freePort(), freePort()]);
      // Logging on, as deployed (the helper's default is warnings only).
      const app = startServerProcess({ PORT: String(port), DEV_IDP_PORT: String(idpPort), DATA_DIR: dataDir, LOG_LEVEL: 'info', WORKERS: String(workers), ...extra.env });
      const base = `http://localhost:${port}`;
      try {
        await waitUntilReady(`${base}/healthz`, app, 60_000);
        const browser = new TestBrowser();
        await signIn(browser, { baseUrl: base, idp: { issuer: `http://localhost:${idpPort}` } } as unknown as Stack);
        const cookie = await browser.jar.getCookieString(base);
        for (const page of ['/profile', '/dashboard']) await wrk(`${base}${page}`, { connections: o.connections, seconds: 2, headers: { cookie, accept: 'text/html' } });
        rows.push([`/profile, ${engine.label}, WORKERS=${workers}`, await measure(base, cookie, '/profile', o)]);
        rows.push([`demo dashboard, ${engine.label}, WORKERS=${workers}`, await measure(base, cookie, '/dashboard', o)]);
      } finally {
        await app.stop();
        await extra.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
  return rows;
}
