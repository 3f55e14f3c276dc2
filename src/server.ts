/**
 * The only module with side effects: reads the environment, opens the database, starts the
 * embedded identity provider when no tenant is configured, and listens. With WORKERS > 1 it runs
 * as a node:cluster primary (migrations, housekeeping, the development provider, the shared
 * rate-limit counters without Redis) and its workers (serving requests on the one port).
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import http from 'node:http';
import { ClusterMemoryStorePrimary } from '@express-rate-limit/cluster-memory-store';
import dotenv from 'dotenv';
import { createApp } from './app.js';
import { systemClock } from './clock/clock.js';
import { ConfigError, loadConfig, type ResolvedConfig } from './config/config.js';
import { resolveSecrets } from './config/dev-secrets.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrateToLatest } from './db/migrations.js';
import type { DevIdp } from './dev-idp/index.js';
import { MANAGEMENT_SCOPES } from './identity/management-api.js';
import type { Mailer } from './mail/mailer.js';
import { createLogger } from './logging/logger.js';
import { expressMessages } from './http/express-messages.js';
import { requestTurns } from './http/request-turns.js';
import { onGiveWay } from './lib/cooperative.js';
import { appPaths } from './paths.js';
import { limitHeapGrowth } from './runtime/heap.js';
import { superviseWorkers, type WorkerRequest } from './runtime/cluster.js';
import { devBanner } from './runtime/dev-banner.js';
import { clusterLimiterStores, databaseLimiterStores, redisLimiterStores } from './security/limiter-stores.js';
import { DatabaseSessionStore } from './sessions/database-store.js';
import { RedisSessionStore } from './sessions/redis-store.js';

/** single: WORKERS=1. primary/worker: the two sides of WORKERS > 1. */
type Role = 'single' | 'primary' | 'worker';
/** How the primary tells its workers which issuer the (embedded) provider listens as. */
const WORKER_ISSUER_VARIABLE = 'PFC_WORKER_ISSUER';
/** Requests that may wait for their turn in one process (while connections are being accepted) before more are refused with 503 (see http/request-turns.ts). */
const MAX_WAITING_REQUESTS = 2000;

function readConfig(): ResolvedConfig {
  // A .env file fills in what the real environment leaves unset; the real environment wins.
  const fileEnv = fs.existsSync('.env') ? dotenv.parse(fs.readFileSync('.env')) : {};
  try {
    return resolveSecrets(loadConfig({ ...fileEnv, ...process.env }));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  // Before the app allocates; every cluster worker runs this file too (see runtime/heap.ts).
  limitHeapGrowth(config.heapGrowingPercent);
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    // State may be corrupt after an uncaught exception: log it and exit for a clean restart.
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  const role: Role = config.workers > 1 ? (cluster.isPrimary ? 'primary' : 'worker') : 'single';

  const paths = appPaths();
  // A cluster's primary serves no requests: its rare writes may checkpoint on its own event loop,
  // and it keeps no checkpoint thread (a thread is a V8 isolate of its own: memory).
  const database = openDatabase(config.database, role === 'primary' ? { checkpointIntervalMs: 0 } : {});
  // Once, before any worker serves (Kysely's migration lock does nothing on SQLite).
  if (role !== 'worker') await migrateToLatest(database.db);
  if (process.argv.includes('--demo-reset')) return resetDemo(config, database);
  // The Redis client (a tenth of the start-up's module loading) is loaded only when it is used.
  const redis = config.redisUrl ? await (await import('./redis/client.js')).connectRedis(config.redisUrl, logger) : undefined;
  const defaultTtlMs = config.sessionIdleMinutes * 60_000;
  const sessionStore = redis ? new RedisSessionStore(redis, { defaultTtlMs }) : new DatabaseSessionStore(database.db, { defaultTtlMs });
  // Counters are never per process when there can be several: in Redis; in PostgreSQL (several
  // instances may share it); in the cluster primary's memory; in memory only for one SQLite process.
  const limiterStores = redis
    ? redisLimiterStores(redis)
    : database.engine === 'postgres'
      ? databaseLimiterStores(database.db)
      : role === 'worker'
        ? clusterLimiterStores()
        : undefined;

  let idp: DevIdp | undefined;
  let mailer: Mailer | null = null;
  let issuerBaseUrl: string;
  if (role === 'worker') {
    issuerBaseUrl = process.env[WORKER_ISSUER_VARIABLE]!;
    // The embedded provider's outbox lives in the primary: notices go there.
    if (config.idp.kind === 'embedded') mailer = { send: async (message) => void process.send!({ kind: 'mail', message } satisfies WorkerRequest) };
  } else if (config.idp.kind === 'embedded') {
    // The demo member starts with a year of data so the first run shows a living dashboard. It is
    // written while the provider's first start hashes passwords and makes its key on the thread pool.
    const seedDemo = async () => {
      const [{ createFinance }, { seedDemoData }, { DEMO_MEMBER_SUB }] = await Promise.all([import('./features/finance.js'), import('./features/demo/seed.js'), import('./dev-idp/accounts.js')]);
      await seedDemoData(createFinance(database.db), DEMO_MEMBER_SUB, systemClock);
    };
    [idp] = await Promise.all([startEmbeddedProvider(config, config.idp.port, paths), seedDemo()]);
    issuerBaseUrl = idp.issuer;
    mailer = { send: (message) => idp!.deliverMail(message) };
  } else {
    issuerBaseUrl = config.idp.issuerBaseUrl;
  }

  const app = createApp({ config, issuerBaseUrl, db: database.db, sessionStore, limiterStores, logger, paths, clock: systemClock, mailer });
  const closeResources = () => Promise.all([idp?.close(), database.close(), redis?.close()]);

  // The shared housekeeping (expired sessions, audit retention, expired import previews) runs in one
  // process; each worker writes out only its own aggregated refusal counts.
  const shared = role !== 'worker';
  let checkpointErrorsSeen = 0;
  const housekeeping = async () => {
    const pruned = shared ? await sessionStore.prune() : 0;
    const done = await app.maintenance({ shared });
    logger.debug({ sessionsPruned: pruned, ...done }, 'housekeeping done');
    const checkpoints = database.checkpointer?.stats;
    if (checkpoints && checkpoints.errors > checkpointErrorsSeen) {
      checkpointErrorsSeen = checkpoints.errors;
      logger.warn({ errors: checkpoints.errors, lastError: checkpoints.lastError }, 'the SQLite checkpoint thread has failed: commits checkpoint at their safety-net size instead');
    }
  };
  const runHousekeeping = () => void housekeeping().catch((err: unknown) => logger.error({ err }, 'housekeeping failed'));
  runHousekeeping();
  const pruner = setInterval(runHousekeeping, 10 * 60_000);
  pruner.unref();
  const finalHousekeeping = () => app.maintenance({ final: true, shared }).catch((err: unknown) => logger.error({ err }, 'final housekeeping failed'));

  if (role === 'primary') {
    // The workers' counters on SQLite without Redis (see limiterStores above) live here.
    if (!redis && database.engine === 'sqlite') new ClusterMemoryStorePrimary().init();
    const supervisor = superviseWorkers(config.workers, {
      env: { [WORKER_ISSUER_VARIABLE]: issuerBaseUrl },
      logger,
      onRequest: (request) => void idp?.deliverMail(request.message).catch((err: unknown) => logger.error({ err }, 'could not deliver a notice')),
    });
    await supervisor.ready;
    logger.info({ baseUrl: config.baseUrl, issuer: issuerBaseUrl, workers: config.workers }, 'Personal Finance Coach is listening');
    if (idp) process.stdout.write(devBanner(idp, config.workers));
    process.stdout.write(`\nPersonal Finance Coach: ${config.baseUrl} (${config.workers} workers)\n\n`);
    const shutdown = async (signal: string) => {
      logger.info({ signal }, 'shutting down: draining the workers');
      clearInterval(pruner);
      await supervisor.stop();
      await finalHousekeeping();
      await closeResources();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    return;
  }

  // One request per event-loop turn, new connections first, so a burst of new connections is accepted while the app is busy.
  // Refusals are counted and logged at most every 10 s: an overloaded process must not also flood its log.
  let refused = 0;
  let refusedLoggedAt = 0;
  const onRefused = () => {
    refused++;
    const now = systemClock.now().getTime();
    if (now - refusedLoggedAt < 10_000) return;
    logger.warn({ refused, maxWaiting: MAX_WAITING_REQUESTS }, 'refused requests with 503: too many were waiting for their turn');
    refused = 0;
    refusedLoggedAt = now;
  };
  const turns = requestTurns(app, { maxWaiting: MAX_WAITING_REQUESTS, onRefused });
  // Requests and responses are born with Express's prototypes (see http/express-messages.ts).
  const messages = expressMessages();
  messages.use(app);
  const server = http.createServer(messages.options, turns);
  server.on('connection', turns.accepted);
  onGiveWay(turns.shorten);
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(config.port, config.listenHost, resolve));
  if (role === 'single') {
    logger.info({ baseUrl: config.baseUrl, issuer: issuerBaseUrl, host: config.listenHost ?? 'every interface' }, 'Personal Finance Coach is listening');
    // Last, where a newcomer sees them: the demo accounts, then the address to open.
    if (idp) process.stdout.write(devBanner(idp, 1));
    process.stdout.write(`\nPersonal Finance Coach: ${config.baseUrl}\n\n`);
  }

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    clearInterval(pruner);
    // Stop accepting, finish the requests in flight, then close.
    server.close(() => void finalHousekeeping().then(closeResources).finally(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

function startEmbeddedProvider(config: ResolvedConfig, port: number, paths: ReturnType<typeof appPaths>): Promise<DevIdp> {
  // Loaded only when used, so a production process never even imports the development provider.
  return import('./dev-idp/index.js').then(({ startDevIdp, appClient }) =>
    startDevIdp({
      nodeEnv: config.nodeEnv,
      port,
      dataDir: config.dataDir,
      viewsDir: paths.views,
      publicDir: paths.public,
      rolesClaim: config.rolesClaim,
      socialConnections: config.socialConnections,
      m2mClients: config.management ? [{ ...config.management, scopes: MANAGEMENT_SCOPES }] : [],
      client: () => appClient(config),
    }),
  );
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

main().catch((err: unknown) => {
  process.stderr.write(`Startup failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
