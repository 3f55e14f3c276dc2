import type { Express } from 'express';
import type { Kysely } from 'kysely';
import type { Clock } from './clock/clock.js';
import type { ResolvedConfig } from './config/config.js';
import type { DashboardCacheLimits } from './features/dashboard/service.js';
import type { Database } from './db/schema.js';
import type { ManagementApi } from './identity/management-api.js';
import type { Logger } from './logging/logger.js';
import type { Mailer } from './mail/mailer.js';
import type { LimiterStores } from './security/limiter-stores.js';
import type { UserSessionStore } from './sessions/types.js';

/** What createApp needs: everything with a life of its own (database, stores, clock) comes in from outside. */
export interface AppDeps {
  config: ResolvedConfig;
  /** The issuer to discover: the tenant's, or the embedded provider's once it listens. */
  issuerBaseUrl: string;
  db: Kysely<Database>;
  sessionStore: UserSessionStore;
  /** Where rate-limit counters live (Redis, the cluster's primary); this process's memory by default. */
  limiterStores?: LimiterStores;
  logger: Logger;
  paths: { views: string; public: string };
  /** How long a session read may take before the request answers 503. */
  sessionReadTimeoutMs?: number;
  /** Minimum time between JWKS downloads on an unknown key id (tests use 0). */
  jwksCooldownMs?: number;
  /** The app's "now" for every date rule (which month is current, days left, created_at). */
  clock: Clock;
  /** Where the app's own notices go (the embedded provider's outbox in development); none by default. */
  mailer?: Mailer | null;
  /** The Management API client; by default built from config.management (none without it). */
  managementApi?: ManagementApi | null;
  /** How many dashboard pages are kept (features/dashboard/service.ts); DASHBOARD_CACHE by default. */
  dashboardCache?: DashboardCacheLimits;
}

/** The app, and the housekeeping its owner runs now and then (server.ts: every ten minutes and at shutdown). */
export type App = Express & {
  /**
   * `shared: false` (a worker of several) does only this process's part, writing out its counted
   * refusals; the shared data (old audit events, expired imports, unfinished deletions) is the primary's.
   */
  maintenance(opts?: { final?: boolean; shared?: boolean }): Promise<{ refusalSummaries: number; auditPruned: number; importsExpired: number; deletionsFinished: number }>;
};
