import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type App, type AppDeps } from '../../src/app.js';
import type { DevM2mClient } from '../../src/dev-idp/m2m-tokens.js';
import { MANAGEMENT_SCOPES, type ManagementApi } from '../../src/identity/management-api.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { TestBrowser, type Page } from './browser.js';
import { csrfTokenOf, signIn } from './flows.js';
import { runningClock } from '../../src/clock/clock.js';
import { loadConfig, type ResolvedConfig } from '../../src/config/config.js';
import { resolveSecrets } from '../../src/config/dev-secrets.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openTestDatabase, type TestDatabase } from './engines.js';
import { appClient, startDevIdp, type DevIdp } from '../../src/dev-idp/index.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { appPaths } from '../../src/paths.js';
import { expressMessages, type ExpressMessages } from '../../src/http/express-messages.js';
import { DatabaseSessionStore } from '../../src/sessions/database-store.js';
import type { UserSessionStore } from '../../src/sessions/types.js';

/**
 * The app's clock in tests: it starts at a fixed instant and runs from there, so nothing depends
 * on the day the suite runs; tests that care about dates move it (`stack.clock.set(...)`).
 * Sessions, tokens and TOTP codes still use real time, as the libraries do.
 */
export const TEST_NOW = '2026-11-18T12:00:00.000Z';
export type TestClock = ReturnType<typeof runningClock>;

export interface Stack {
  baseUrl: string;
  clock: TestClock;
  /** The app itself, for its housekeeping (`app.maintenance()`). */
  app: App;
  idp: DevIdp;
  config: ResolvedConfig;
  database: DatabaseHandle;
  sessions: DatabaseSessionStore;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  /** Wraps the real store, e.g. to inject failures. */
  wrapStore?: (store: DatabaseSessionStore) => UserSessionStore;
  sessionReadTimeoutMs?: number;
  /** Run the provider as one that ignores acr_values (never does MFA). */
  ignoreAcrValues?: boolean;
  logger?: Logger;
  /** The app's clock; one running from TEST_NOW by default. */
  clock?: TestClock;
  /** More machine-to-machine applications for the provider's Management API (besides the app's). */
  m2mClients?: DevM2mClient[];
  /** The provider's clock (link expiry, API tokens); real time by default. */
  idpNow?: () => number;
  /** Builds the app's Management API client (e.g. through a faulty proxy); from config by default. */
  managementApi?: (issuer: string, config: ResolvedConfig) => ManagementApi | null;
}

/** The app on a free loopback port with a fresh data directory, against `issuerBaseUrl`. */
export interface AppStack {
  baseUrl: string;
  clock: TestClock;
  config: ResolvedConfig;
  database: DatabaseHandle;
  sessions: DatabaseSessionStore;
  dataDir: string;
  close(): Promise<void>;
}

/** The server listens before the app exists (its port is in the app's config); the app's prototypes come later, as in src/server.ts. */
async function listenOnFreePort(): Promise<{ server: http.Server; port: number; messages: ExpressMessages }> {
  const messages = expressMessages();
  const server = http.createServer(messages.options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, messages };
}

function testConfig(port: number, dataDir: string, env: Record<string, string> = {}): ResolvedConfig {
  return resolveSecrets(
    loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      BASE_URL: `http://localhost:${port}`,
      DATA_DIR: dataDir,
      APP_SECRET_KEY: 'test-secret-that-is-long-enough-for-the-rule-0123456789',
      LOG_LEVEL: 'silent',
      // Tests sign in many times from one IP; the rate-limit tests set their own low limits.
      RATE_LIMIT_AUTH_MAX: '100000',
      RATE_LIMIT_POST_MAX: '100000',
      ...env,
    }),
  );
}

async function mountApp(
  { server, messages }: { server: http.Server; messages: ExpressMessages },
  config: ResolvedConfig,
  issuerBaseUrl: string,
  dataDir: string,
  options: StackOptions,
  identity: Pick<AppDeps, 'mailer' | 'managementApi'> = {},
) {
  const clock = options.clock ?? runningClock(TEST_NOW);
  const testDatabase = await openTestDatabase(dataDir);
  const database = testDatabase.handle;
  const sessions = new DatabaseSessionStore(database.db, { defaultTtlMs: 60_000 });
  const app = createApp({
    config,
    issuerBaseUrl,
    db: database.db,
    sessionStore: options.wrapStore ? options.wrapStore(sessions) : sessions,
    logger: options.logger ?? createLogger('silent'),
    paths: appPaths(),
    jwksCooldownMs: 0,
    clock,
    ...identity,
    ...(options.sessionReadTimeoutMs ? { sessionReadTimeoutMs: options.sessionReadTimeoutMs } : {}),
  });
  messages.use(app);
  server.on('request', app);
  return { testDatabase, database, sessions, clock, app };
}

async function closeAll(server: http.Server, database: TestDatabase, dataDir: string) {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** The app against an external issuer (e.g. the hostile test provider), as with a real tenant. */
export async function startAppAgainst(issuerBaseUrl: string, client: { clientId: string; clientSecret: string }, options: StackOptions = {}): Promise<AppStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-test-'));
  const { server, port, messages } = await listenOnFreePort();
  const config = testConfig(port, dataDir, {
    AUTH0_ISSUER_BASE_URL: issuerBaseUrl,
    AUTH0_CLIENT_ID: client.clientId,
    AUTH0_CLIENT_SECRET: client.clientSecret,
    ...options.env,
  });
  const { testDatabase, database, sessions, clock } = await mountApp({ server, messages }, config, issuerBaseUrl, dataDir, options);
  return { baseUrl: `http://localhost:${port}`, clock, config, database, sessions, dataDir, close: () => closeAll(server, testDatabase, dataDir) };
}

/**
 * The real app and the real embedded identity provider, each on a free loopback port,
 * with a fresh data directory. Nothing is mocked.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-test-'));
  const { server, port, messages } = await listenOnFreePort();
  const config = testConfig(port, dataDir, options.env);
  const paths = appPaths();
  const idp = await startDevIdp({
    nodeEnv: 'test',
    port: 0,
    dataDir,
    viewsDir: paths.views,
    publicDir: paths.public,
    rolesClaim: config.rolesClaim,
    socialConnections: config.socialConnections,
    client: () => appClient(config),
    ignoreAcrValues: options.ignoreAcrValues ?? false,
    m2mClients: [{ ...config.management!, scopes: MANAGEMENT_SCOPES }, ...(options.m2mClients ?? [])],
    ...(options.idpNow ? { now: options.idpNow } : {}),
  });
  const mailer: Mailer = { send: (m) => idp.deliverMail(m) };
  const { testDatabase, database, sessions, clock, app } = await mountApp({ server, messages }, config, idp.issuer, dataDir, options, {
    mailer,
    ...(options.managementApi ? { managementApi: options.managementApi(idp.issuer, config) } : {}),
  });
  return {
    clock,
    app,
    // Where the test reaches the app; config.baseUrl may be a public https origin in some tests.
    baseUrl: `http://localhost:${port}`,
    idp,
    config,
    database,
    sessions,
    close: async () => {
      await idp.close();
      await closeAll(server, testDatabase, dataDir);
    },
  };
}

/**
 * For the surrounding file: the real stack with the demo member signed in once, and the finance
 * repositories over its database; started before the tests and closed after.
 */
export interface MemberStack {
  stack: Stack;
  finance: Finance;
  browser: TestBrowser;
  token: string;
  /** A form POST as the signed-in member, with the CSRF token; an array value repeats the field. */
  post(path: string, form: Record<string, string | string[]>): Promise<Page>;
  get(path: string): Promise<Page>;
  /** A GET asking for JSON, parsed. */
  api<T>(path: string): Promise<T>;
}

export function useMemberStack(): MemberStack {
  const ctx = {
    async post(path: string, form: Record<string, string | string[]>) {
      const body = new URLSearchParams({ _csrf: ctx.token });
      for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
      return ctx.browser.request(`${ctx.stack.baseUrl}${path}`, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    },
    get: (path: string) => ctx.browser.request(`${ctx.stack.baseUrl}${path}`),
    async api<T>(path: string) {
      return JSON.parse((await ctx.browser.request(`${ctx.stack.baseUrl}${path}`, { headers: { accept: 'application/json' } })).body) as T;
    },
  } as MemberStack;
  beforeAll(async () => {
    ctx.stack = await startStack();
    ctx.finance = createFinance(ctx.stack.database.db);
    ctx.browser = new TestBrowser();
    ctx.token = csrfTokenOf(await signIn(ctx.browser, ctx.stack));
  });
  afterAll(async () => {
    await ctx.stack?.close();
  });
  return ctx;
}
