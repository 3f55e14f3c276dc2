import express, { type Router } from 'express';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../clock/clock.js';
import type { Logger } from '../logging/logger.js';
import type { IdTokenVerifier } from './id-token-verifier.js';
import { requestLogger } from '../http/request-logging.js';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How old a logout token may be (its iat), and how long its jti is remembered. */
const MAX_AGE_SECONDS = 120;
const CLOCK_TOLERANCE_SECONDS = 60;
/** Remembered jtis at most; the provider sends a handful a minute, an attacker cannot mint them. */
const MAX_REMEMBERED = 100_000;

/**
 * Remembers the jti of every accepted logout token for as long as the token could still be
 * accepted, so a captured token cannot be replayed. One process's memory: several instances need
 * a shared store for it (as for the rate-limit counters).
 */
export function createReplayCache(clock: Clock) {
  const seen = new Map<string, number>();
  return {
    /** True the first time a jti is offered before `until` (epoch seconds); false for a replay. */
    claim(jti: string, until: number): boolean {
      const now = clock.now().getTime() / 1000;
      if (seen.size >= MAX_REMEMBERED) for (const [k, exp] of seen) if (exp < now) seen.delete(k);
      const known = seen.get(jti);
      if (known !== undefined && known >= now) return false;
      if (seen.size >= MAX_REMEMBERED) return false;
      seen.set(jti, until);
      return true;
    },
  };
}

/**
 * POST /backchannel-logout (OpenID Connect Back-Channel Logout 1.0), replacing the library's
 * handler, which checks less and echoes its error text. The token must be an RS256 JWT from the
 * issuer for this client, with `iat` at most two minutes old, a `jti` not seen before, the
 * logout event, `sub` or `sid`, and no `nonce`; `typ` may be `logout+jwt` but need not be. Any
 * failure answers the same generic 400 and keeps every session; the reason goes to the log.
 */
export function backchannelLogoutRoute(deps: {
  issuer: string;
  clientId: string;
  keys: IdTokenVerifier['keySet'];
  clock: Clock;
  logger: Logger;
  onLogoutToken: (token: { sub?: string; sid?: string }) => Promise<void>;
}): Router {
  const router = express.Router();
  const replays = createReplayCache(deps.clock);

  router.post('/backchannel-logout', async function backchannelLogout(req, res) {
    res.set('Cache-Control', 'no-store');
    const raw = (req.body as Record<string, unknown> | undefined)?.logout_token;
    let token: JWTPayload;
    try {
      if (typeof raw !== 'string' || raw.length > 8192) throw new Error('no logout_token');
      const { payload, protectedHeader } = await jwtVerify(raw, await deps.keys(), {
        issuer: deps.issuer,
        audience: deps.clientId,
        algorithms: ['RS256'],
        requiredClaims: ['iat', 'jti'],
        maxTokenAge: MAX_AGE_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: deps.clock.now(),
      });
      const typ = protectedHeader.typ?.toLowerCase();
      if (typ !== undefined && typ !== 'jwt' && typ !== 'logout+jwt' && typ !== 'application/logout+jwt') throw new Error(`typ ${typ}`);
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events !== 'object' || typeof events[LOGOUT_EVENT] !== 'object' || events[LOGOUT_EVENT] === null) throw new Error('no logout event');
      if (payload.nonce !== undefined) throw new Error('nonce present');
      if (typeof payload.sub !== 'string' && typeof payload.sid !== 'string') throw new Error('neither sub nor sid');
      if (typeof payload.jti !== 'string' || payload.jti.length > 256) throw new Error('bad jti');
      if (!replays.claim(payload.jti, payload.iat! + MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS)) throw new Error('jti replayed');
      token = payload;
    } catch (err) {
      requestLogger(req, deps.logger).warn({ reason: err instanceof errors.JOSEError ? err.code : err instanceof Error ? err.message : 'invalid' }, 'back-channel logout token refused');
      return res.status(400).json({ error: 'invalid_request' });
    }
    try {
      await deps.onLogoutToken({ ...(typeof token.sub === 'string' ? { sub: token.sub } : {}), ...(typeof token.sid === 'string' ? { sid: token.sid } : {}) });
    } catch (err) {
      requestLogger(req, deps.logger).error({ err }, 'back-channel logout could not end the sessions');
      return res.status(400).json({ error: 'application_error' });
    }
    res.status(204).end();
  });
  return router;
}
