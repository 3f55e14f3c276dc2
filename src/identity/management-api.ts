import type { Clock } from '../clock/clock.js';
import { callIdp, describeError, failureOf, IdentityApiError, type IdpResponse } from './idp-http.js';

/** Auth0's names for what the app's M2M application needs on /api/v2/ (the README's tenant section lists them). */
export const MANAGEMENT_SCOPES = ['read:users', 'update:users', 'delete:users', 'delete:guardian_enrollments'];

/** The deadline of every call to the provider, the token request included. */
export const IDP_TIMEOUT_MS = 5000;
/** A cached token is replaced this long before it expires, so no call starts with a dying token. */
const EXPIRY_MARGIN_MS = 60_000;

export interface ManagementApiOptions {
  /** The tenant's base URL, e.g. https://tenant.eu.auth0.com/ (the token audience is <base>/api/v2/). */
  baseUrl: string;
  /** The API's identifier when it differs from <baseUrl>/api/v2/ (calls through a custom domain). */
  audience?: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
  /** For the token's expiry; token lifetimes are real time, so the system clock outside tests. */
  clock: Clock;
}

export interface IdpUser {
  userId: string;
  email: string | null;
  emailVerified: boolean;
  connection: string | null;
  isSocial: boolean;
}

/**
 * A client for the few Auth0 Management API v2 calls the app makes, with a machine-to-machine
 * application's client-credentials token, cached until shortly before it expires and shared
 * by concurrent callers. A 401 (token revoked or rotated) drops the cache and retries once.
 */
export function createManagementApi(o: ManagementApiOptions) {
  const base = o.baseUrl.replace(/\/+$/, '');
  const audience = o.audience ?? `${base}/api/v2/`;
  const timeoutMs = o.timeoutMs ?? IDP_TIMEOUT_MS;
  let cached: { token: string; refreshAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const r = await callIdp(
      `${base}/oauth/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: o.clientId, client_secret: o.clientSecret, audience }),
      },
      timeoutMs,
    );
    const body = r.body as { access_token?: unknown; expires_in?: unknown } | null;
    if (r.status !== 200 || typeof body?.access_token !== 'string') {
      // Any refusal of our own credentials is a deployment problem, not the person's.
      throw new IdentityApiError(r.status >= 500 ? 'provider_error' : 'misconfigured', `token request refused: ${describeError(r)}`);
    }
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    cached = { token: body.access_token, refreshAt: o.clock.now().getTime() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2) };
    return body.access_token;
  }

  function token(): Promise<string> {
    if (cached && o.clock.now().getTime() < cached.refreshAt) return Promise.resolve(cached.token);
    inFlight ??= fetchToken().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  async function call(method: string, path: string, body?: unknown, retried = false): Promise<IdpResponse> {
    const t = await token();
    const r = await callIdp(
      `${base}/api/v2${path}`,
      {
        method,
        headers: { authorization: `Bearer ${t}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      timeoutMs,
    );
    if (r.status === 401 && !retried) {
      cached = null;
      return call(method, path, body, true);
    }
    if (r.status >= 400) throw new IdentityApiError(failureOf(r.status), `${method} /api/v2${path.replace(/\/users\/[^/]+/, '/users/{id}')}: ${describeError(r)}`);
    return r;
  }

  const userPath = (sub: string) => `/users/${encodeURIComponent(sub)}`;

  return {
    audience,

    async getUser(sub: string): Promise<IdpUser> {
      const r = await call('GET', userPath(sub));
      return toUser(r.body);
    },

    /** Whether the user has a confirmed authenticator (Guardian enrollment). */
    async hasAuthenticator(sub: string): Promise<boolean> {
      const r = await call('GET', `${userPath(sub)}/enrollments`);
      return Array.isArray(r.body) && r.body.some((e) => (e as { status?: unknown })?.status === 'confirmed');
    },

    /** Sets a new address, unverified, and has the provider send a verification email to it. */
    async changeEmail(sub: string, email: string): Promise<IdpUser> {
      const r = await call('PATCH', userPath(sub), { email, verify_email: true });
      return toUser(r.body);
    },

    /** Removes every authenticator: the next MFA step enrols a new one. */
    async removeAuthenticators(sub: string): Promise<void> {
      await call('DELETE', `${userPath(sub)}/authenticators`);
    },

    /** Deletes the user at the provider; one already gone counts as deleted. */
    async deleteUser(sub: string): Promise<void> {
      try {
        await call('DELETE', userPath(sub));
      } catch (err) {
        if (err instanceof IdentityApiError && err.failure === 'not_found') return;
        throw err;
      }
    },
  };
}

function toUser(body: unknown): IdpUser {
  const b = (body ?? {}) as Record<string, unknown>;
  const identity = (Array.isArray(b.identities) ? b.identities[0] : undefined) as Record<string, unknown> | undefined;
  if (typeof b.user_id !== 'string') throw new IdentityApiError('provider_error', 'the provider answered without a user_id');
  return {
    userId: b.user_id,
    email: typeof b.email === 'string' ? b.email : null,
    emailVerified: b.email_verified === true,
    connection: typeof identity?.connection === 'string' ? identity.connection : null,
    isSocial: identity?.isSocial === true,
  };
}

export type ManagementApi = ReturnType<typeof createManagementApi>;
