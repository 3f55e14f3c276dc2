import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { ConfigParams, Session } from 'express-openid-connect';
import type { ResolvedConfig } from '../config/config.js';
import type { UserSessionStore } from '../sessions/types.js';
import { MFA_POLICY } from './mfa.js';

/** What the app puts in the login state (carried in the signed transaction cookie). */
export interface LoginState {
  returnTo?: string;
  txn?: string;
  stepUp?: boolean;
}

export interface OidcHooks {
  /** Runs after the tokens are checked and before the session is saved; returns the session to keep. */
  afterCallback: (req: Request, res: Response, session: Session, state: LoginState) => Promise<Session>;
}

/** Cookie names: with https the __Host- prefix pins them to this exact origin and path /. */
export function cookieNames(secure: boolean) {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}pfc_session`, transaction: `${prefix}pfc_auth` };
}

/** The server-side session's settings, read by the session layer and (for the same cookie) by the library. */
export interface SessionSettings {
  /** The cookie's name; the session data is `req[name]`. */
  name: string;
  /** Idle timeout: each response moves the deadline this far ahead. */
  rollingSeconds: number;
  /** Absolute lifetime from the session's start, whatever the activity. */
  absoluteSeconds: number;
  /** The cookie's flags (the transaction cookie takes `secure` from them too). */
  cookie: { path: '/'; httpOnly: true; sameSite: 'lax'; secure: boolean };
}

export function sessionSettings(config: ResolvedConfig): SessionSettings {
  return {
    name: cookieNames(config.secureCookies).session,
    rollingSeconds: config.sessionIdleMinutes * 60,
    absoluteSeconds: config.sessionAbsoluteHours * 3600,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies },
  };
}

/**
 * express-openid-connect options, every one set explicitly from our config so the library
 * never falls back to reading process.env or to its implicit-flow and cookie-session defaults.
 */
export function oidcParams(config: ResolvedConfig, store: UserSessionStore, newSessionId: (req: Request) => string, hooks: OidcHooks, issuerBaseURL: string): ConfigParams {
  const names = cookieNames(config.secureCookies);
  const session = sessionSettings(config);
  return {
    authRequired: false,
    issuerBaseURL,
    baseURL: config.baseUrl,
    clientID: config.clientId,
    clientSecret: config.clientSecret,
    clientAuthMethod: 'client_secret_basic',
    secret: config.appSecret,
    idTokenSigningAlg: 'RS256',
    // Auth0 custom domains are still Auth0: use its /v2/logout. Other issuers: the discovered end-session endpoint.
    ...(config.idp.kind === 'external' && config.idp.isAuth0 ? { auth0Logout: true } : {}),
    idpLogout: true,
    enableTelemetry: false,
    legacySameSiteCookie: false,
    httpTimeout: 5000,
    authorizationParams: {
      response_type: 'code',
      scope: 'openid profile email',
      // Set here because the callback route is ours (routes.callback is false).
      redirect_uri: config.callbackUrl,
      ...(config.audience ? { audience: config.audience } : {}),
      // MFA_MODE=always: every sign-in asks for MFA (the guards still check that it happened).
      ...(config.mfaMode === 'always' ? { acr_values: MFA_POLICY } : {}),
    },
    // Our own GET /login (returnTo checked), POST /logout (CSRF checked) and /callback (which
    // rotates the session id on every login) replace the library's.
    routes: { login: false, logout: false, callback: false, postLogoutRedirect: `${config.baseUrl}/` },
    // The session itself is read and saved by sessions/session-layer.ts, with the same settings
    // (sessionSettings above); the library still reads `name` (its session data is `req[name]`) and
    // asks `genid` for a new id at sign-in only because a `store` is set.
    session: {
      name: session.name,
      store: store as never,
      rolling: true,
      rollingDuration: session.rollingSeconds,
      absoluteDuration: session.absoluteSeconds,
      // The cookie carries only a random id with an HMAC; an unsigned or forged id is ignored.
      // The id is signed and checked by us (sessions/signed-ids.ts), not by the library, which
      // checks through the thread pool on every request; the store wrapper refuses unsigned ids.
      signSessionStoreCookie: false,
      requireSignedSessionStoreCookie: false,
      // The library asks for a new id when a sign-in must not keep the old one; the session layer
      // (sessions/session-layer.ts) saves the session under it and deletes the old entry.
      genid: (req) => newSessionId(req as Request),
      cookie: { ...session.cookie, sameSite: 'Lax', transient: false },
    },
    transactionCookie: { name: names.transaction, sameSite: 'Lax' },
    // The library's default state is just the returnTo, the same for everyone. A random part makes
    // each state unguessable (RFC 9700 §2.1), on top of the PKCE and nonce checks.
    getLoginState: (_req, options): LoginState => ({
      returnTo: options.returnTo,
      txn: crypto.randomBytes(16).toString('base64url'),
      ...((options as { stepUp?: boolean }).stepUp ? { stepUp: true } : {}),
    }),
    afterCallback: (req, res, session, state) => hooks.afterCallback(req, res, session, (state ?? {}) as LoginState),
    // Back-channel logout is served by auth/backchannel-logout.ts (stricter checks, generic errors).
  };
}
