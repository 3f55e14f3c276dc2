/**
 * Parsers for the variables that need more than a type: URLs, host names, connection names, the
 * proxy list and the log level. Each adds what is wrong to `problems` and returns undefined
 * for a value it cannot use.
 */
import type { Config, IdentityProviderConfig } from './config.js';
import type { Env, NodeEnv } from './env-schema.js';
import { isLoopbackHost, urlOrProblem } from './hosts.js';

export const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;
export const DOMAIN_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const TRUST_PROXY_WORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Where to listen. Outside production the app is for this machine: it listens on the BASE_URL's
 * loopback host (localhost means 127.0.0.1), not on every interface. HOST overrides.
 */
export function parseListenHost(raw: string | undefined, baseUrl: string | undefined, production: boolean, problems: string[]): string | undefined {
  if (raw !== undefined) {
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(raw)) problems.push('HOST must be a host name or IP address to listen on, such as 127.0.0.1 or 0.0.0.0');
    return raw;
  }
  if (production || baseUrl === undefined) return undefined;
  const host = new URL(baseUrl).hostname;
  if (host === 'localhost') return '127.0.0.1';
  return isLoopbackHost(host) ? host.replace(/^\[|\]$/g, '') : undefined;
}

export function parseBaseUrl(raw: string, production: boolean, problems: string[]): string | undefined {
  const url = urlOrProblem(raw, 'BASE_URL must be an absolute URL such as https://coach.example.com', problems);
  if (!url) return undefined;
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

export function parseIdentityProvider(e: Partial<Env>, production: boolean, problems: string[]): IdentityProviderConfig | undefined {
  if (e.AUTH0_ISSUER_BASE_URL !== undefined) {
    const url = urlOrProblem(e.AUTH0_ISSUER_BASE_URL, 'AUTH0_ISSUER_BASE_URL must be an absolute URL such as https://tenant.eu.auth0.com/', problems);
    if (!url) return undefined;
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

export function parseConnections(raw: string, problems: string[]): string[] {
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

export function parseTrustProxy(raw: string | undefined, problems: string[]): Config['trustProxy'] | undefined {
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

export function parseLogLevel(raw: string | undefined, nodeEnv: NodeEnv, problems: string[]): Config['logLevel'] | undefined {
  if (raw === undefined) return nodeEnv === 'test' ? 'silent' : 'info';
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (!level) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}
