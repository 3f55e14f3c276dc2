/**
 * The only module with side effects: reads the environment, opens the database, starts the
 * embedded identity provider when no tenant is configured, and listens.
 */
import fs from 'node:fs';
import http from 'node:http';
import dotenv from 'dotenv';
import { createApp } from './app.js';
import { systemClock } from './clock/clock.js';
import { ConfigError, loadConfig } from './config/config.js';
import { resolveSecrets } from './config/dev-secrets.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrateToLatest } from './db/migrations.js';
import type { DevIdp } from './dev-idp/index.js';
import { MANAGEMENT_SCOPES } from './identity/management-api.js';
import type { Mailer } from './mail/mailer.js';
import { createLogger } from './logging/logger.js';
import { appPaths } from './paths.js';
import { DatabaseSessionStore } from './sessions/database-store.js';

async function main(): Promise<void> {
  // A .env file fills in what the real environment leaves unset; the real environment wins.
  const fileEnv = fs.existsSync('.env') ? dotenv.parse(fs.readFileSync('.env')) : {};
  let config;
  try {
    config = resolveSecrets(loadConfig({ ...fileEnv, ...process.env }));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw err;
  }

  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    // State may be corrupt after an uncaught exception: log it and exit for a clean restart.
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });

  const paths = appPaths();
  const database = openDatabase(config.database);
  await migrateToLatest(database.db);
  if (process.argv.includes('--demo-reset')) return resetDemo(config, database);
  const sessionStore = new DatabaseSessionStore(database.db, { defaultTtlMs: config.sessionIdleMinutes * 60_000 });

  let idp: DevIdp | undefined;
  let mailer: Mailer | null = null;
  let issuerBaseUrl: string;
  if (config.idp.kind === 'embedded') {
    const resolved = config;
    // Loaded only when used, so a production process never even imports the development provider.
    const { startDevIdp } = await import('./dev-idp/index.js');
    idp = await startDevIdp({
      nodeEnv: config.nodeEnv,
      port: config.idp.port,
      dataDir: config.dataDir,
      viewsDir: paths.views,
      publicDir: paths.public,
      rolesClaim: config.rolesClaim,
      socialConnections: config.socialConnections,
      m2mClients: config.management ? [{ ...config.management, scopes: MANAGEMENT_SCOPES }] : [],
      client: () => ({
        clientId: resolved.clientId,
        clientSecret: resolved.clientSecret,
        redirectUri: resolved.callbackUrl,
        postLogoutRedirectUri: `${resolved.baseUrl}/`,
        backchannelLogoutUri: `${resolved.baseUrl}/backchannel-logout`,
      }),
    });
    issuerBaseUrl = idp.issuer;
    // The app's notices (an email address changed) go to the provider's outbox.
    mailer = { send: (message) => idp!.deliverMail(message) };
    // The demo member starts with a year of data so the first run shows a living dashboard.
    const { createFinance } = await import('./features/finance.js');
    const { seedDemoData } = await import('./features/demo/seed.js');
    const { DEMO_MEMBER_SUB } = await import('./dev-idp/accounts.js');
    await seedDemoData(createFinance(database.db), DEMO_MEMBER_SUB, systemClock);
  } else {
    issuerBaseUrl = config.idp.issuerBaseUrl;
  }

  const app = createApp({ config, issuerBaseUrl, db: database.db, sessionStore, logger, paths, clock: systemClock, mailer });
  const server = http.createServer(app);
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(config.port, config.listenHost, resolve));
  logger.info({ baseUrl: config.baseUrl, issuer: issuerBaseUrl, host: config.listenHost ?? 'every interface' }, 'Personal Finance Coach is listening');
  // Last, where a newcomer sees them: the demo accounts, then the address to open.
  if (idp) printDevBanner(idp);
  process.stdout.write(`\nPersonal Finance Coach: ${config.baseUrl}\n\n`);

  // Expired sessions are already refused on read; this keeps the table small. The app's own
  // housekeeping: aggregated refusal counts, audit retention, expired import previews.
  const housekeeping = async () => {
    const pruned = await sessionStore.prune();
    const done = await app.maintenance();
    logger.debug({ sessionsPruned: pruned, ...done }, 'housekeeping done');
  };
  void housekeeping().catch((err: unknown) => logger.error({ err }, 'housekeeping failed'));
  const pruner = setInterval(() => void housekeeping().catch((err: unknown) => logger.error({ err }, 'housekeeping failed')), 10 * 60_000);
  pruner.unref();

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    clearInterval(pruner);
    server.close(() => {
      void app
        .maintenance({ final: true })
        .catch((err: unknown) => logger.error({ err }, 'final housekeeping failed'))
        .then(() => Promise.all([idp?.close(), database.close()]))
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** `npm run demo:reset`: the demo member's finance data back to the seeded year, then exit. */
async function resetDemo(config: { idp: { kind: string } }, database: DatabaseHandle): Promise<void> {
  if (config.idp.kind !== 'embedded') {
    process.stderr.write('demo:reset works only with the embedded development provider (no AUTH0_DOMAIN set): the demo member exists only there.\n');
    process.exit(1);
  }
  const { createFinance } = await import('./features/finance.js');
  const { createDataRepository } = await import('./features/data/repository.js');
  const { seedDemoData } = await import('./features/demo/seed.js');
  const { DEMO_MEMBER_SUB } = await import('./dev-idp/accounts.js');
  const removed = await createDataRepository(database.db).deleteEverything(DEMO_MEMBER_SUB);
  await seedDemoData(createFinance(database.db), DEMO_MEMBER_SUB, systemClock);
  await database.close();
  process.stdout.write(`The demo member's data is back to its first day (${removed} rows replaced). Sign in as member@example.com to see it.\n`);
}

function printDevBanner(idp: DevIdp): void {
  const lines = [
    '',
    '  DEVELOPMENT IDENTITY PROVIDER: for local development only, never for production.',
    `  Issuer: ${idp.issuer}`,
    '  Demo accounts:',
    ...idp.demoAccounts.map((a) => `    ${a.email.padEnd(24)} password: ${a.password.padEnd(22)} (${a.description})`),
    ...idp.demoAccounts.filter((a) => a.totpSecret).map((a) => `  Authenticator key of ${a.email} (add it to any TOTP app): ${a.totpSecret}`),
    '  Social buttons sign in as a simulated user of each connection.',
    `  Verification emails and other messages: ${idp.issuer}/outbox`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Startup failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
