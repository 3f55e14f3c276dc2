import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import express, { type ErrorRequestHandler } from 'express';
import { DevAccounts, DEMO_USERS } from './accounts.js';
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
  /** Test knob: behave like a provider that ignores acr_values. */
  ignoreAcrValues?: boolean;
}

export interface DevIdp {
  issuer: string;
  demoAccounts: Array<{ email: string; password: string; description: string; totpSecret?: string }>;
  close(): Promise<void>;
}

/**
 * Starts the embedded, Auth0-compatible identity provider. It exists so the app runs and is
 * tested end to end with no Auth0 account; it refuses to run in production.
 */
export async function startDevIdp(o: DevIdpOptions): Promise<DevIdp> {
  if (o.nodeEnv === 'production') {
    throw new Error('The development identity provider refuses to start with NODE_ENV=production');
  }
  const dir = path.join(o.dataDir, 'dev-idp');
  fs.mkdirSync(dir, { recursive: true });
  const sqlite = new BetterSqlite3(path.join(dir, 'idp.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  const accounts = new DevAccounts(sqlite);
  accounts.seed();
  const keys = loadOrCreateKeys(dir);

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
  const mail = new DevMail(sqlite, () => issuer);
  // The unverified demo user always has a verification message waiting in the outbox.
  for (const u of DEMO_USERS) if (!u.emailVerified && !accounts.findBySub(u.sub)?.emailVerified && !mail.hasPendingVerification(u.sub)) mail.sendVerification(u.sub, u.email);

  const provider = createProvider({
    issuer,
    client: o.client(issuer),
    rolesClaim: o.rolesClaim,
    socialConnections: o.socialConnections,
    accounts,
    keys,
    sqlite,
    pages,
    ignoreAcrValues: o.ignoreAcrValues ?? false,
  });

  app.use('/assets', express.static(path.join(o.publicDir, 'dev-idp'), { index: false, maxAge: '1h' }));
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
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      sqlite.close();
    },
  };
}
