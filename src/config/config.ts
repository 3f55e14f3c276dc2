/**
 * Configuration: parsed once, from an env object passed in, against one schema.
 * Nothing else in the app reads process.env; everything else receives a Config.
 */
import path from 'node:path';
import { z } from 'zod';
import type { DatabaseTarget } from '../db/database.js';
import { isLoopbackHost } from './hosts.js';
import { parseDatabaseUrl, parseRedisUrl, parseWorkers } from './scale.js';

export type NodeEnv = 'development' | 'production' | 'test';

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
const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;
const DOMAIN_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const TRUST_PROXY_WORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Empty strings count as unset, as in most .env files. */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function intInRange(name: string, min: number, max: number, fallback: number) {
  return optionalString.transform((v, ctx) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });
}

const envSchema = z.object({
  NODE_ENV: optionalString.transform((v, ctx): NodeEnv => {
    if (v === undefined) return 'development';
    if (v === 'development' || v === 'production' || v === 'test') return v;
    ctx.addIssue({ code: 'custom', message: 'NODE_ENV must be development, production or test' });
    return z.NEVER;
  }),
  PORT: intInRange('PORT', 1, 65535, 3000),
  HOST: optionalString,
  DEV_IDP_PORT: intInRange('DEV_IDP_PORT', 0, 65535, 3001),
  BASE_URL: optionalString,
  AUTH0_CALLBACK_URL: optionalString,
  AUTH0_DOMAIN: optionalString,
  AUTH0_ISSUER_BASE_URL: optionalString,
  AUTH0_CLIENT_ID: optionalString,
  AUTH0_CLIENT_SECRET: optionalString,
  AUTH0_AUDIENCE: optionalString,
  AUTH0_MGMT_CLIENT_ID: optionalString,
  AUTH0_MGMT_CLIENT_SECRET: optionalString,
  AUTH0_MGMT_DOMAIN: optionalString,
  AUTH0_DB_CONNECTION: optionalString,
  AUTH0_ROLES_CLAIM: optionalString,
  AUTH0_SOCIAL_CONNECTIONS: z.string().optional(),
  APP_SECRET_KEY: optionalString,
  DATA_DIR: optionalString,
  DATABASE_URL: optionalString,
  DATABASE_POOL_MAX: intInRange('DATABASE_POOL_MAX', 1, 200, 10),
  REDIS_URL: optionalString,
  WORKERS: optionalString,
  TRUST_PROXY: optionalString,
  LOG_LEVEL: optionalString,
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  SESSION_IDLE_MINUTES: intInRange('SESSION_IDLE_MINUTES', 1, 24 * 60, 30),
  SESSION_ABSOLUTE_HOURS: intInRange('SESSION_ABSOLUTE_HOURS', 1, 30 * 24, 12),
  MFA_MODE: optionalString.transform((v, ctx): 'sensitive' | 'always' => {
    if (v === undefined) return 'sensitive';
    if (v === 'sensitive' || v === 'always') return v;
    ctx.addIssue({ code: 'custom', message: 'MFA_MODE must be sensitive or always' });
    return z.NEVER;
  }),
  MFA_MAX_AGE_MINUTES: intInRange('MFA_MAX_AGE_MINUTES', 1, 24 * 60, 15),
  RATE_LIMIT_WINDOW_SECONDS: intInRange('RATE_LIMIT_WINDOW_SECONDS', 1, 3600, 60),
  RATE_LIMIT_AUTH_MAX: intInRange('RATE_LIMIT_AUTH_MAX', 1, 100_000, 30),
  RATE_LIMIT_POST_MAX: intInRange('RATE_LIMIT_POST_MAX', 1, 100_000, 60),
  AUDIT_RETENTION_DAYS: intInRange('AUDIT_RETENTION_DAYS', 1, 3650, 180),
  HEAP_GROWING_PERCENT: intInRange('HEAP_GROWING_PERCENT', 0, 1000, 50),
});

type Env = z.infer<typeof envSchema>;

/** Every variable the app reads, for documentation checks. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

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

/**
 * Where to listen. Outside production the app is for this machine: it listens on the BASE_URL's
 * loopback host (localhost means 127.0.0.1), not on every interface. HOST overrides.
 */
function parseListenHost(raw: string | undefined, baseUrl: string | undefined, production: boolean, problems: string[]): string | undefined {
  if (raw !== undefined) {
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(raw)) problems.push('HOST must be a host name or IP address to listen on, such as 127.0.0.1 or 0.0.0.0');
    return raw;
  }
  if (production || baseUrl === undefined) return undefined;
  const host = new URL(baseUrl).hostname;
  if (host === 'localhost') return '127.0.0.1';
  return isLoopbackHost(host) ? host.replace(/^\[|\]$/g, '') : undefined;
}

function parseFields(env: Record<string, string | undefined>, problems: string[]): Partial<Env> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(envSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(env[key]);
    if (r.success) out[key] = r.data;
    else problems.push(...r.error.issues.map((i) => (i.code === 'custom' ? i.message : `${key}: ${i.message}`)));
  }
  return out as Partial<Env>;
}

function parseBaseUrl(raw: string, production: boolean, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push('BASE_URL must be an absolute URL such as https://coach.example.com');
    return undefined;
  }
  const before = problems.length;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push('BASE_URL must use https (or http on loopback in development)');
  if (url.protocol === 'http:' && production) problems.push('BASE_URL must use https in production');
  if (url.protocol === 'http:' && !production && !isLoopbackHost(url.hostname)) {
    problems.push('BASE_URL may use http only on a loopback host (localhost, 127.0.0.1, [::1])');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    problems.push('BASE_URL must be an origin only, with no path, query or credentials');
  }
  return problems.length === before ? url.origin : undefined;
}

function parseIdentityProvider(e: Partial<Env>, production: boolean, problems: string[]): IdentityProviderConfig | undefined {
  if (e.AUTH0_ISSUER_BASE_URL !== undefined) {
    let url: URL;
    try {
      url = new URL(e.AUTH0_ISSUER_BASE_URL);
    } catch {
      problems.push('AUTH0_ISSUER_BASE_URL must be an absolute URL such as https://tenant.eu.auth0.com/');
      return undefined;
    }
    if (url.protocol === 'http:') {
      if (production) {
        problems.push('AUTH0_ISSUER_BASE_URL must use https in production');
        return undefined;
      }
      if (!isLoopbackHost(url.hostname)) {
        problems.push('AUTH0_ISSUER_BASE_URL may use http only on a loopback host outside production');
        return undefined;
      }
    } else if (url.protocol !== 'https:') {
      problems.push('AUTH0_ISSUER_BASE_URL must use https');
      return undefined;
    }
    if (url.search || url.hash || url.username || url.password) {
      problems.push('AUTH0_ISSUER_BASE_URL must not carry a query, fragment or credentials');
      return undefined;
    }
    // Kept exactly as given: the discovered issuer must match it to the character (trailing slash included).
    return { kind: 'external', issuerBaseUrl: e.AUTH0_ISSUER_BASE_URL, isAuth0: /\.auth0\.com$/i.test(url.hostname) };
  }
  if (e.AUTH0_DOMAIN !== undefined) {
    if (!DOMAIN_NAME.test(e.AUTH0_DOMAIN)) {
      problems.push('AUTH0_DOMAIN must be a host name only, such as tenant.eu.auth0.com (no https://, no path)');
      return undefined;
    }
    return { kind: 'external', issuerBaseUrl: `https://${e.AUTH0_DOMAIN.toLowerCase()}/`, isAuth0: true };
  }
  if (production) {
    problems.push('AUTH0_DOMAIN or AUTH0_ISSUER_BASE_URL is required in production (the embedded provider is for development only)');
    return undefined;
  }
  return { kind: 'embedded', port: e.DEV_IDP_PORT ?? 3001 };
}

function parseConnections(raw: string, problems: string[]): string[] {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = names.filter((n) => !CONNECTION_NAME.test(n));
  if (bad.length > 0) {
    problems.push('AUTH0_SOCIAL_CONNECTIONS must be a comma list of connection names (letters, digits, dashes)');
    return [];
  }
  return [...new Set(names)];
}

function parseTrustProxy(raw: string | undefined, problems: string[]): Config['trustProxy'] | undefined {
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw === 'true') {
    // Trusting every hop lets any client pick its own IP through X-Forwarded-For.
    problems.push('TRUST_PROXY=true would trust any client-supplied X-Forwarded-For; give the number of proxies (e.g. 1) or their addresses');
    return undefined;
  }
  const parts = raw.split(',').map((s) => s.trim());
  const ok = parts.every((p) => TRUST_PROXY_WORDS.has(p) || /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(p));
  if (!ok) {
    problems.push('TRUST_PROXY must be false, a number of proxy hops, or a comma list of proxy addresses/subnets');
    return undefined;
  }
  return parts;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function parseLogLevel(raw: string | undefined, nodeEnv: NodeEnv, problems: string[]): Config['logLevel'] | undefined {
  if (raw === undefined) return nodeEnv === 'test' ? 'silent' : 'info';
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (!level) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}
