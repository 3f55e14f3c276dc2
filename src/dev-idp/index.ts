import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import express, { type ErrorRequestHandler } from 'express';
import { DevAccounts, DEMO_USERS } from './accounts.js';
import { createAdapterClass } from './adapter.js';
import { createM2mTokens, type DevM2mClient } from './m2m-tokens.js';
import { managementApiRoutes } from './management-api.js';
import { passwordResetRoutes } from './password-reset.js';
import { interactionRoutes } from './interactions.js';
import { loadOrCreateKeys } from './keys.js';
import { DevMail } from './mail.js';
import { createPages } from './pages.js';
import { createProvider, type DevClient } from './provider.js';

export interface DevIdpOptions {
  nodeEnv: string;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** Host name used in the issuer URL; localhost by default. */
  issuerHost?: string;
  dataDir: string;
  viewsDir: string;
  publicDir: string;
  rolesClaim: string;
  socialConnections: string[];
  /** Called once the port is known, to register the app as this provider's client. */
  client: (issuer: string) => DevClient;
  /** Machine-to-machine applications allowed on the Management API (the app's, and tests' own). */
  m2mClients?: DevM2mClient[];
  /** Test knob: behave like a provider that ignores acr_values. */
  ignoreAcrValues?: boolean;
  /** The provider's clock for link expiry and API tokens (tests move it); real time by default. */
  now?: () => number;
}

export interface DevIdp {
  issuer: string;
  demoAccounts: Array<{ email: string; password: string; description: string; totpSecret?: string }>;
  /** Where the app's own notices go in development: this provider's outbox. */
  deliverMail(message: { to: string; subject: string; text: string }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the embedded, Auth0-compatible identity provider. It exists so the app runs and is
 * tested end to end with no Auth0 account; it refuses to run in production.
 */
/** The app registered as this provider's client: its callback, where signing out returns, and its back-channel logout. */
export function appClient(app: { clientId: string; clientSecret: string; baseUrl: string }): DevClient {
  return {
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: `${app.baseUrl}/callback`,
    postLogoutRedirectUri: `${app.baseUrl}/`,
    backchannelLogoutUri: `${app.baseUrl}/backchannel-logout`,
  };
}

export async function startDevIdp(o: DevIdpOptions): Promise<DevIdp> {
  if (o.nodeEnv === 'production') {
    throw new Error('The development identity provider refuses to start with NODE_ENV=production');
  }
  const dir = path.join(o.dataDir, 'dev-idp');
  fs.mkdirSync(dir, { recursive: true });
  const sqlite = new BetterSqlite3(path.join(dir, 'idp.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  const accounts = new DevAccounts(sqlite);
  // Both run on the thread pool the first time (password hashes, an RSA key).
  const [, keys] = await Promise.all([accounts.seed(), loadOrCreateKeys(dir)]);

  const app = express();
  app.disable('x-powered-by');
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${o.issuerHost ?? 'localhost'}:${port}`;
  const pages = createPages(o.viewsDir, { issuer });
  const now = o.now ?? (() => Date.now());
  const mail = new DevMail(sqlite, () => issuer, now);
  const adapter = createAdapterClass(sqlite);
  const endProviderSessions = (sub: string) => void adapter.destroyAccount(sub);
  const client = o.client(issuer);
  // The unverified demo user always has a verification message waiting in the outbox.
  for (const u of DEMO_USERS) if (!u.emailVerified && !accounts.findBySub(u.sub)?.emailVerified && !mail.hasPendingVerification(u.sub)) mail.sendVerification(u.sub, u.email);

  const provider = createProvider({
    issuer,
    client,
    rolesClaim: o.rolesClaim,
    socialConnections: o.socialConnections,
    accounts,
    keys,
    adapter,
    pages,
    ignoreAcrValues: o.ignoreAcrValues ?? false,
  });

  app.use('/assets', express.static(path.join(o.publicDir, 'dev-idp'), { index: false, maxAge: '1h' }));
  const tokens = createM2mTokens({ issuer, keys, clients: o.m2mClients ?? [], now });
  app.use(tokens.tokenRoute);
  app.use(managementApiRoutes({ accounts, mail, tokens, endProviderSessions }));
  app.use(passwordResetRoutes({ accounts, mail, pages, clientIds: [client.clientId], endProviderSessions }));
  app.use(interactionRoutes({ provider, accounts, mail, pages, socialConnections: o.socialConnections }));
  app.use(provider.callback());
  const onError: ErrorRequestHandler = async (err, _req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status < 500 ? err.status : 400;
    res.status(status).send(
      await pages.render('error', {
        title: 'Sign-in error',
        error: typeof err?.error === 'string' ? err.error : 'invalid_request',
        description: 'This sign-in attempt has expired or is not valid. Go back to the app and sign in again.',
      }),
    );
  };
  app.use(onError);

  return {
    issuer,
    demoAccounts: DEMO_USERS.map(({ email, password, description, totpSecret }) => ({ email, password, description, ...(totpSecret ? { totpSecret } : {}) })),
    deliverMail: async (message) => mail.deliver(message),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      sqlite.close();
    },
  };
}
