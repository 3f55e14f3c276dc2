import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const SECRET = 'x'.repeat(40);
const TENANT = { AUTH0_DOMAIN: 'coach.eu.auth0.com', AUTH0_CLIENT_ID: 'abc', AUTH0_CLIENT_SECRET: 'shh-client-secret-value' };
const PROD = { NODE_ENV: 'production', BASE_URL: 'https://coach.example.com', APP_SECRET_KEY: SECRET, ...TENANT };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe('loadConfig', () => {
  it('uses the embedded provider and documented defaults when nothing is set outside production', () => {
    const c = loadConfig({});
    expect(c.idp).toEqual({ kind: 'embedded', port: 3001 });
    expect(c.port).toBe(3000);
    expect(c.baseUrl).toBe('http://localhost:3000');
    expect(c.callbackUrl).toBe('http://localhost:3000/callback');
    expect(c.rolesClaim).toBe('https://coach.example.com/roles');
    expect(c.socialConnections).toEqual(['google-oauth2', 'github']);
    expect(c.sessionIdleMinutes).toBe(30);
    expect(c.sessionAbsoluteHours).toBe(12);
    expect(c.database).toEqual({ kind: 'sqlite', file: path.resolve('data/app.sqlite') });
    expect(c.redisUrl).toBeUndefined();
    expect(c.workers).toBe(1);
    expect(c.trustProxy).toBe(false);
    expect(c.secureCookies).toBe(false);
    expect(c.appSecret).toBeUndefined();
  });

  it('takes the Management API application as a pair, and the database connection by name', () => {
    expect(loadConfig(PROD).management).toBeUndefined();
    expect(loadConfig({ ...PROD, AUTH0_MGMT_CLIENT_ID: 'm2m', AUTH0_MGMT_CLIENT_SECRET: 'm2m-secret' }).management).toEqual({ clientId: 'm2m', clientSecret: 'm2m-secret' });
    expect(problems({ ...PROD, AUTH0_MGMT_CLIENT_ID: 'm2m' })).toEqual([expect.stringContaining('AUTH0_MGMT_CLIENT_ID and AUTH0_MGMT_CLIENT_SECRET go together')]);
    expect(problems({ ...PROD, AUTH0_MGMT_CLIENT_SECRET: 'only-the-secret' })[0]).not.toContain('only-the-secret');
    expect(loadConfig({ ...PROD, AUTH0_MGMT_CLIENT_ID: 'm2m', AUTH0_MGMT_CLIENT_SECRET: 's', AUTH0_MGMT_DOMAIN: 'Tenant.EU.auth0.com' }).management?.baseUrl).toBe('https://tenant.eu.auth0.com/');
    expect(problems({ ...PROD, AUTH0_MGMT_DOMAIN: 'https://tenant.auth0.com' })).toEqual(['AUTH0_MGMT_DOMAIN must be a host name only, such as tenant.eu.auth0.com']);
    expect(loadConfig(PROD).databaseConnection).toBe('Username-Password-Authentication');
    expect(loadConfig({ ...PROD, AUTH0_DB_CONNECTION: 'Customers' }).databaseConnection).toBe('Customers');
    expect(problems({ ...PROD, AUTH0_DB_CONNECTION: 'bad name!' })).toEqual(['AUTH0_DB_CONNECTION must be a connection name (letters, digits, dashes)']);
  });

  it('gives the embedded provider its own Management API application, and a real tenant none unless configured', async () => {
    const { resolveSecrets, DEV_M2M_CLIENT_ID } = await import('../../src/config/dev-secrets.js');
    const dev = resolveSecrets(loadConfig({ APP_SECRET_KEY: SECRET }));
    expect(dev.management?.clientId).toBe(DEV_M2M_CLIENT_ID);
    expect(dev.management?.clientSecret).not.toBe(dev.clientSecret);
    expect(resolveSecrets(loadConfig(PROD)).management).toBeUndefined();
  });

  it('listens on the BASE_URL loopback host outside production, every interface in production, HOST when set', () => {
    expect(loadConfig({}).listenHost).toBe('127.0.0.1');
    expect(loadConfig({ BASE_URL: 'http://[::1]:3000' }).listenHost).toBe('::1');
    expect(loadConfig({ BASE_URL: 'http://127.0.0.2:3000' }).listenHost).toBe('127.0.0.2');
    expect(loadConfig(PROD).listenHost).toBeUndefined();
    expect(loadConfig({ HOST: '0.0.0.0' }).listenHost).toBe('0.0.0.0');
    expect(problems({ HOST: 'not a host!' })).toContain('HOST must be a host name or IP address to listen on, such as 127.0.0.1 or 0.0.0.0');
  });

  it('keeps audit events 180 days unless AUDIT_RETENTION_DAYS says otherwise', () => {
    expect(loadConfig({}).auditRetentionDays).toBe(180);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '30' }).auditRetentionDays).toBe(30);
    expect(problems({ AUDIT_RETENTION_DAYS: '0' })).toContain('AUDIT_RETENTION_DAYS must be a whole number from 1 to 3650');
  });

  it('lets the heap grow to one and a half times its live size between full collections unless HEAP_GROWING_PERCENT says otherwise (0: V8 decides)', () => {
    expect(loadConfig({}).heapGrowingPercent).toBe(50);
    expect(loadConfig({ HEAP_GROWING_PERCENT: '100' }).heapGrowingPercent).toBe(100);
    expect(loadConfig({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(loadConfig({ HEAP_GROWING_PERCENT: '50' }).heapGrowingPercent).toBe(50);
    expect(problems({ HEAP_GROWING_PERCENT: 'lots', WORKERS: 'many' })).toEqual(
      expect.arrayContaining(['HEAP_GROWING_PERCENT must be a whole number from 0 to 1000', 'WORKERS must be auto or a whole number from 1 to 64']),
    );
  });

  it('derives BASE_URL from PORT', () => {
    expect(loadConfig({ PORT: '4100' }).baseUrl).toBe('http://localhost:4100');
  });

  it('turns AUTH0_DOMAIN into an https issuer with a trailing slash', () => {
    const c = loadConfig({ ...TENANT });
    expect(c.idp).toEqual({ kind: 'external', issuerBaseUrl: 'https://coach.eu.auth0.com/', isAuth0: true });
  });

  it('prefers AUTH0_ISSUER_BASE_URL over AUTH0_DOMAIN and keeps it exactly as given', () => {
    const c = loadConfig({ ...TENANT, AUTH0_ISSUER_BASE_URL: 'https://login.coach.example.com' });
    expect(c.idp).toEqual({ kind: 'external', issuerBaseUrl: 'https://login.coach.example.com', isAuth0: false });
  });

  it('refuses a domain given as a URL', () => {
    expect(problems({ ...TENANT, AUTH0_DOMAIN: 'https://coach.eu.auth0.com/' })).toEqual([
      expect.stringContaining('AUTH0_DOMAIN must be a host name only'),
    ]);
  });

  it('requires the client id and secret with a real tenant', () => {
    const p = problems({ AUTH0_DOMAIN: 'coach.eu.auth0.com' });
    expect(p).toContainEqual(expect.stringContaining('AUTH0_CLIENT_ID is required'));
    expect(p).toContainEqual(expect.stringContaining('AUTH0_CLIENT_SECRET is required'));
  });

  it('requires a tenant, a secret and https in production, listing every problem at once', () => {
    const p = problems({ NODE_ENV: 'production' });
    expect(p).toContainEqual(expect.stringContaining('AUTH0_DOMAIN or AUTH0_ISSUER_BASE_URL is required in production'));
    expect(p).toContainEqual(expect.stringContaining('APP_SECRET_KEY is required in production'));
    expect(p).toContainEqual(expect.stringContaining('BASE_URL must use https in production'));
    expect(p.length).toBe(3);
  });

  it('accepts a complete production configuration with secure cookies', () => {
    const c = loadConfig(PROD);
    expect(c.secureCookies).toBe(true);
    expect(c.nodeEnv).toBe('production');
  });

  it('refuses an APP_SECRET_KEY shorter than 32 characters without printing it', () => {
    const p = problems({ APP_SECRET_KEY: 'short-secret-value' });
    expect(p).toEqual([expect.stringContaining('at least 32 characters')]);
    expect(p.join(' ')).not.toContain('short-secret-value');
  });

  it('never echoes the client secret or app secret in any problem', () => {
    const p = problems({ ...PROD, BASE_URL: 'http://coach.example.com', PORT: 'eighty' });
    expect(p.join(' ')).not.toContain(SECRET);
    expect(p.join(' ')).not.toContain(TENANT.AUTH0_CLIENT_SECRET);
    expect(p.length).toBe(2);
  });

  it('refuses an http issuer on a non-loopback host', () => {
    expect(problems({ AUTH0_ISSUER_BASE_URL: 'http://idp.example.com/', AUTH0_CLIENT_ID: 'a', AUTH0_CLIENT_SECRET: 'b' })).toEqual([
      expect.stringContaining('http only on a loopback host'),
    ]);
  });

  it('accepts an http loopback issuer outside production', () => {
    const c = loadConfig({ AUTH0_ISSUER_BASE_URL: 'http://127.0.0.1:4444', AUTH0_CLIENT_ID: 'a', AUTH0_CLIENT_SECRET: 'b' });
    expect(c.idp).toMatchObject({ kind: 'external', issuerBaseUrl: 'http://127.0.0.1:4444' });
  });

  it('refuses an http loopback issuer in production', () => {
    expect(problems({ ...PROD, AUTH0_ISSUER_BASE_URL: 'http://localhost:4444' })).toEqual([
      expect.stringContaining('AUTH0_ISSUER_BASE_URL must use https in production'),
    ]);
  });

  it('accepts AUTH0_CALLBACK_URL only when it equals BASE_URL/callback', () => {
    expect(loadConfig({ AUTH0_CALLBACK_URL: 'http://localhost:3000/callback' }).callbackUrl).toBe('http://localhost:3000/callback');
    expect(problems({ AUTH0_CALLBACK_URL: 'http://localhost:3000/auth/callback' })).toEqual([
      expect.stringContaining('AUTH0_CALLBACK_URL must equal BASE_URL + "/callback" (http://localhost:3000/callback)'),
    ]);
  });

  it('refuses a BASE_URL with a path, or plain http on a public host', () => {
    expect(problems({ BASE_URL: 'http://localhost:3000/app' })).toEqual([expect.stringContaining('origin only')]);
    expect(problems({ BASE_URL: 'http://coach.example.com' })).toEqual([expect.stringContaining('http only on a loopback host')]);
    expect(problems({ BASE_URL: 'not a url' })).toEqual([expect.stringContaining('BASE_URL must be an absolute URL')]);
  });

  it('names each variable that is not a URL at all, every one at once', () => {
    expect(problems({ AUTH0_ISSUER_BASE_URL: 'not a url', AUTH0_CLIENT_ID: 'id', AUTH0_CLIENT_SECRET: 'secret', DATABASE_URL: 'postgres://[bad', REDIS_URL: 'redis://[bad' })).toEqual([
      expect.stringContaining('AUTH0_ISSUER_BASE_URL must be an absolute URL'),
      expect.stringContaining('DATABASE_URL is not a valid URL'),
      expect.stringContaining('REDIS_URL is not a valid URL'),
    ]);
  });

  it('parses the social connection list and refuses malformed names', () => {
    expect(loadConfig({ AUTH0_SOCIAL_CONNECTIONS: ' github , apple,github' }).socialConnections).toEqual(['github', 'apple']);
    expect(loadConfig({ AUTH0_SOCIAL_CONNECTIONS: '' }).socialConnections).toEqual([]);
    expect(problems({ AUTH0_SOCIAL_CONNECTIONS: 'github,evil connection' })).toEqual([expect.stringContaining('AUTH0_SOCIAL_CONNECTIONS')]);
  });

  it('requires the roles claim to be a namespaced URL', () => {
    expect(loadConfig({ AUTH0_ROLES_CLAIM: 'https://finance.example.org/roles' }).rolesClaim).toBe('https://finance.example.org/roles');
    expect(problems({ AUTH0_ROLES_CLAIM: 'roles' })).toEqual([expect.stringContaining('AUTH0_ROLES_CLAIM')]);
  });

  it('validates numbers and their ranges', () => {
    expect(problems({ PORT: '0' })).toEqual([expect.stringContaining('PORT must be a whole number from 1 to 65535')]);
    expect(problems({ SESSION_IDLE_MINUTES: '1.5' })).toEqual([expect.stringContaining('SESSION_IDLE_MINUTES')]);
    expect(problems({ SESSION_ABSOLUTE_HOURS: '-1' })).toEqual([expect.stringContaining('SESSION_ABSOLUTE_HOURS')]);
    expect(problems({ SESSION_IDLE_MINUTES: '180', SESSION_ABSOLUTE_HOURS: '2' })).toEqual([
      expect.stringContaining('must not be longer than SESSION_ABSOLUTE_HOURS'),
    ]);
    const c = loadConfig({ SESSION_IDLE_MINUTES: '15', SESSION_ABSOLUTE_HOURS: '8' });
    expect([c.sessionIdleMinutes, c.sessionAbsoluteHours]).toEqual([15, 8]);
  });

  it('reads DATABASE_URL as a SQLite file or a PostgreSQL server, and refuses anything else', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:./tmp/x.sqlite' }).database).toEqual({ kind: 'sqlite', file: path.resolve('tmp/x.sqlite') });
    expect(loadConfig({ DATABASE_URL: ':memory:' }).database).toEqual({ kind: 'sqlite', file: ':memory:' });
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/coach' }).database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db/coach', poolMax: 10 });
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db:5433/coach', DATABASE_POOL_MAX: '20' }).database).toEqual({ kind: 'postgres', url: 'postgresql://u@db:5433/coach', poolMax: 20 });
    expect(problems({ DATABASE_URL: 'postgres://u:p@db' })).toEqual([expect.stringContaining('DATABASE_URL must name the database')]);
    expect(problems({ DATABASE_URL: 'mysql://db' })).toEqual([expect.stringContaining('DATABASE_URL must look like')]);
  });

  it('reads REDIS_URL and WORKERS, listing every bad value at once', () => {
    const c = loadConfig({ REDIS_URL: 'redis://cache:6379', WORKERS: '4' });
    expect([c.redisUrl, c.workers]).toEqual(['redis://cache:6379', 4]);
    expect(loadConfig({ WORKERS: 'auto' }).workers).toBeGreaterThanOrEqual(1);
    expect(problems({ REDIS_URL: 'http://cache', WORKERS: '0' })).toEqual([expect.stringContaining('REDIS_URL must start with redis://'), expect.stringContaining('WORKERS must be auto or a whole number')]);
  });

  it('refuses TRUST_PROXY=true, which would let clients choose their IP', () => {
    expect(problems({ TRUST_PROXY: 'true' })).toEqual([expect.stringContaining('TRUST_PROXY=true')]);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(problems({ TRUST_PROXY: 'everyone' })).toEqual([expect.stringContaining('TRUST_PROXY must be')]);
  });

  it('validates LOG_LEVEL and NODE_ENV', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(problems({ LOG_LEVEL: 'loud', NODE_ENV: 'staging' })).toEqual([
      expect.stringContaining('NODE_ENV must be development, production or test'),
      expect.stringContaining('LOG_LEVEL must be one of'),
    ]);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', AUTH0_DOMAIN: ' ', APP_SECRET_KEY: '' }).idp.kind).toBe('embedded');
  });
});

describe('.env.example', () => {
  it('documents every variable the app reads, each with a comment, and parses as a valid configuration', async () => {
    const fs = await import('node:fs');
    const dotenv = (await import('dotenv')).default;
    const { CONFIG_VARIABLES } = await import('../../src/config/config.js');
    const text = fs.readFileSync('.env.example', 'utf8');
    const lines = text.split('\n');
    for (const name of CONFIG_VARIABLES) {
      const i = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(i, `${name} is missing from .env.example`).toBeGreaterThan(0);
      expect(lines[i - 1]?.startsWith('#'), `${name} has no comment line above it`).toBe(true);
    }
    expect(loadConfig(dotenv.parse(text)).idp.kind).toBe('embedded');
  });
});

describe('MFA settings', () => {
  it('defaults to sensitive mode with a 15 minute freshness window', () => {
    const c = loadConfig({});
    expect([c.mfaMode, c.mfaMaxAgeMinutes]).toEqual(['sensitive', 15]);
  });

  it('accepts always and refuses anything else', () => {
    expect(loadConfig({ MFA_MODE: 'always', MFA_MAX_AGE_MINUTES: '5' })).toMatchObject({ mfaMode: 'always', mfaMaxAgeMinutes: 5 });
    expect(problems({ MFA_MODE: 'sometimes', MFA_MAX_AGE_MINUTES: '0' })).toEqual([
      expect.stringContaining('MFA_MODE must be sensitive or always'),
      expect.stringContaining('MFA_MAX_AGE_MINUTES must be a whole number'),
    ]);
  });
});
