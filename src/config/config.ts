/**
 * Configuration: parsed once, from an env object passed in, against one schema.
 * Nothing else in the app reads process.env; everything else receives a Config.
 */
import path from 'node:path';
import type { DatabaseTarget } from '../db/database.js';
import { CONFIG_VARIABLES, parseFields, type NodeEnv } from './env-schema.js';
import { CONNECTION_NAME, DOMAIN_NAME, parseBaseUrl, parseConnections, parseIdentityProvider, parseListenHost, parseLogLevel, parseTrustProxy } from './fields.js';
import { parseDatabaseUrl, parseRedisUrl, parseWorkers } from './scale.js';

export type { NodeEnv };
/** Every variable the app reads, for documentation checks. */
export { CONFIG_VARIABLES };

/** Where the app signs people in: the embedded development provider, or a real Auth0 tenant (or any OIDC issuer). */
export type IdentityProviderConfig =
  | { kind: 'embedded'; port: number }
  | { kind: 'external'; issuerBaseUrl: string; isAuth0: boolean };

export interface Config {
  nodeEnv: NodeEnv;
  port: number;
  /** The interface to listen on: HOST, else the BASE_URL's loopback host outside production, else every interface. */
  listenHost: string | undefined;
  /** Origin the app is reached at, without a trailing slash. */
  baseUrl: string;
  /** `${baseUrl}/callback`: the only redirect URI the app registers. */
  callbackUrl: string;
  /** Served over https: turns on Secure cookies with the __Host- prefix. */
  secureCookies: boolean;
  idp: IdentityProviderConfig;
  /** Required with an external provider; with the embedded one a development client is registered. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Undefined outside production when not set: server.ts then generates one and keeps it in dataDir. */
  appSecret: string | undefined;
  audience: string | undefined;
  rolesClaim: string;
  socialConnections: string[];
  /** SQLite (the default, a file in dataDir) or PostgreSQL (DATABASE_URL=postgres://…). */
  database: DatabaseTarget;
  dataDir: string;
  /** Sessions and rate-limit counters in Redis when set; in the database otherwise. */
  redisUrl: string | undefined;
  /** How many processes serve requests (node:cluster when more than one). */
  workers: number;
  trustProxy: false | number | string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** One readable line per request (the default in development) or JSON lines (everywhere else). */
  logFormat: 'json' | 'pretty';
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** `sensitive`: MFA for the admin area and sensitive actions; `always`: every sign-in asks for MFA. */
  mfaMode: 'sensitive' | 'always';
  /** How recent an MFA must be for the admin area and sensitive actions. */
  mfaMaxAgeMinutes: number;
  rateLimit: { windowSeconds: number; authMax: number; postMax: number };
  /** Security events older than this are deleted. */
  auditRetentionDays: number;
  /**
   * How far V8 lets the heap grow past what the last full collection kept before collecting again,
   * in percent (V8's --heap-growing-percent); 0 leaves V8's own choice, up to four times the live heap.
   */
  heapGrowingPercent: number;
  /**
   * The machine-to-machine application for Auth0's Management API (email change, MFA reset,
   * account deletion). Unset: those features are shown as unavailable.
   */
  management: { clientId: string; clientSecret: string; baseUrl?: string } | undefined;
  /** The database connection (email and password) whose users can ask for a password-reset email. */
  databaseConnection: string;
}

/** A config whose secrets are all resolved, as createApp needs it. */
export type ResolvedConfig = Config & { appSecret: string; clientId: string; clientSecret: string };

/** Auth0's default name for the email-and-password connection. */
export const DEFAULT_DATABASE_CONNECTION = 'Username-Password-Authentication';

/** Every problem found in the environment, listed at once. Messages never contain secret values. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_ROLES_CLAIM = 'https://coach.example.com/roles';
const DEFAULT_SOCIAL = 'google-oauth2,github';

/**
 * Parses the environment. Throws one ConfigError listing every problem.
 * Pure: reads only `env`, writes nothing.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Each variable is parsed on its own, so one bad value does not hide the others' problems.
  const problems: string[] = [];
  const e = parseFields(env, problems);
  const nodeEnv: NodeEnv = e.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const port = e.PORT ?? 3000;

  const baseUrl = parseBaseUrl(e.BASE_URL ?? `http://localhost:${port}`, production, problems);
  const callbackUrl = `${baseUrl ?? ''}/callback`;
  if (e.AUTH0_CALLBACK_URL !== undefined && baseUrl !== undefined && e.AUTH0_CALLBACK_URL !== callbackUrl) {
    problems.push(
      `AUTH0_CALLBACK_URL must equal BASE_URL + "/callback" (${callbackUrl}); it is derived from BASE_URL, so it can be left out`,
    );
  }

  const listenHost = parseListenHost(e.HOST, baseUrl, production, problems);
  const idp = parseIdentityProvider(e, production, problems);
  if (idp?.kind === 'external') {
    if (!e.AUTH0_CLIENT_ID) problems.push('AUTH0_CLIENT_ID is required when AUTH0_DOMAIN or AUTH0_ISSUER_BASE_URL is set');
    if (!e.AUTH0_CLIENT_SECRET) problems.push('AUTH0_CLIENT_SECRET is required when AUTH0_DOMAIN or AUTH0_ISSUER_BASE_URL is set');
  }

  if (e.APP_SECRET_KEY !== undefined && e.APP_SECRET_KEY.length < 32) {
    problems.push('APP_SECRET_KEY must be at least 32 characters (for example: openssl rand -base64 48)');
  } else if (e.APP_SECRET_KEY === undefined && production) {
    problems.push('APP_SECRET_KEY is required in production (at least 32 characters)');
  }

  if (e.AUTH0_MGMT_DOMAIN !== undefined && !DOMAIN_NAME.test(e.AUTH0_MGMT_DOMAIN)) {
    problems.push('AUTH0_MGMT_DOMAIN must be a host name only, such as tenant.eu.auth0.com');
  }
  const mgmtBase = e.AUTH0_MGMT_DOMAIN !== undefined ? { baseUrl: `https://${e.AUTH0_MGMT_DOMAIN.toLowerCase()}/` } : {};
  const management =
    e.AUTH0_MGMT_CLIENT_ID && e.AUTH0_MGMT_CLIENT_SECRET ? { clientId: e.AUTH0_MGMT_CLIENT_ID, clientSecret: e.AUTH0_MGMT_CLIENT_SECRET, ...mgmtBase } : undefined;
  if (Boolean(e.AUTH0_MGMT_CLIENT_ID) !== Boolean(e.AUTH0_MGMT_CLIENT_SECRET)) {
    problems.push('AUTH0_MGMT_CLIENT_ID and AUTH0_MGMT_CLIENT_SECRET go together: set both (a machine-to-machine application) or neither');
  }
  const databaseConnection = e.AUTH0_DB_CONNECTION ?? DEFAULT_DATABASE_CONNECTION;
  if (!CONNECTION_NAME.test(databaseConnection)) problems.push('AUTH0_DB_CONNECTION must be a connection name (letters, digits, dashes)');

  const rolesClaim = e.AUTH0_ROLES_CLAIM ?? DEFAULT_ROLES_CLAIM;
  if (!/^https?:\/\/[^\s/]+\/\S*$/.test(rolesClaim)) {
    problems.push('AUTH0_ROLES_CLAIM must be a namespaced claim URL such as https://coach.example.com/roles');
  }

  const socialConnections = parseConnections(e.AUTH0_SOCIAL_CONNECTIONS ?? DEFAULT_SOCIAL, problems);
  const dataDir = path.resolve(e.DATA_DIR ?? './data');
  const database = parseDatabaseUrl(e.DATABASE_URL, e.DATABASE_POOL_MAX ?? 10, dataDir, problems);
  const redisUrl = parseRedisUrl(e.REDIS_URL, problems);
  const workers = parseWorkers(e.WORKERS, problems);
  const trustProxy = parseTrustProxy(e.TRUST_PROXY, problems);
  const logLevel = parseLogLevel(e.LOG_LEVEL, nodeEnv, problems);

  const idle = e.SESSION_IDLE_MINUTES ?? 30;
  const absolute = e.SESSION_ABSOLUTE_HOURS ?? 12;
  if (idle > absolute * 60) {
    problems.push('SESSION_IDLE_MINUTES must not be longer than SESSION_ABSOLUTE_HOURS');
  }

  if (problems.length > 0 || !baseUrl || !idp || database === undefined || trustProxy === undefined || !logLevel) {
    throw new ConfigError(problems.length > 0 ? problems : ['configuration could not be read']);
  }

  return {
    nodeEnv,
    port,
    listenHost,
    baseUrl,
    callbackUrl,
    secureCookies: baseUrl.startsWith('https:'),
    idp,
    clientId: e.AUTH0_CLIENT_ID,
    clientSecret: e.AUTH0_CLIENT_SECRET,
    appSecret: e.APP_SECRET_KEY,
    audience: e.AUTH0_AUDIENCE,
    rolesClaim,
    socialConnections,
    database,
    dataDir,
    redisUrl,
    workers,
    trustProxy,
    logLevel,
    logFormat: e.LOG_FORMAT ?? (nodeEnv === 'development' ? 'pretty' : 'json'),
    sessionIdleMinutes: idle,
    sessionAbsoluteHours: absolute,
    mfaMode: e.MFA_MODE ?? 'sensitive',
    mfaMaxAgeMinutes: e.MFA_MAX_AGE_MINUTES ?? 15,
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS ?? 60,
      authMax: e.RATE_LIMIT_AUTH_MAX ?? 30,
      postMax: e.RATE_LIMIT_POST_MAX ?? 60,
    },
    auditRetentionDays: e.AUDIT_RETENTION_DAYS ?? 180,
    heapGrowingPercent: e.HEAP_GROWING_PERCENT ?? 50,
    management,
    databaseConnection,
  };
}
