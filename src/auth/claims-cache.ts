import type { Request } from 'express';
import type { SessionAccess } from '../sessions/access.js';
import { deepFreeze } from '../lib/freeze.js';
import { ForgetfulMap } from '../lib/forgetful-map.js';

/** The claims a request has read, and the ID token they came from. */
interface ReadClaims {
  from: string | undefined;
  claims: Readonly<Record<string, unknown>> | undefined;
}

declare global {
  namespace Express {
    interface Request {
      /** Kept by `idTokenClaims` (auth/claims-cache.ts): the claims this request has read. */
      readClaims?: ReadClaims;
    }
  }
}

/**
 * The signed-in person's ID token claims, or undefined when nobody is signed in.
 *
 * express-openid-connect decodes and deep-copies the ID token every time `req.oidc.idTokenClaims`
 * (or `isAuthenticated()`) is read, and a page reads them several times. This reads them once per
 * request and again only if the session's ID token changes (sign-in, sign-out), and decodes each
 * token once per process. Callers get one frozen object, so none of them can change what the
 * others see.
 *
 * What a request has read is a plain field of the request. It used to be a getter defined on each
 * request's `req.oidc`: a closure made per request and installed as an accessor, which V8's
 * scavenger keeps alive with everything it reaches until the next full collection (measured:
 * about 6 KB of every request moved to old space).
 */
export function idTokenClaims(req: Request, session: SessionAccess): Readonly<Record<string, unknown>> | undefined {
  const s = session(req);
  const idToken = typeof s?.id_token === 'string' ? s.id_token : undefined;
  const read = req.readClaims;
  if (read && read.from === idToken) return read.claims;
  const claims = idToken === undefined ? undefined : decodedClaims(idToken, s?.sid, () => req.oidc.idTokenClaims as Record<string, unknown> | undefined);
  req.readClaims = { from: idToken, claims };
  return claims;
}

/**
 * The library's claims are a pure function of the ID token and the session's backup `sid`, and a
 * signed-in person sends the same ones on every request: decoded once per process, frozen through
 * and through, and shared. Bounded: the map is emptied when full.
 */
const decoded = new ForgetfulMap<string, Readonly<Record<string, unknown>> | undefined>(10_000);

function decodedClaims(idToken: string, providerSid: unknown, decode: () => Record<string, unknown> | undefined): Readonly<Record<string, unknown>> | undefined {
  const key = `${typeof providerSid === 'string' ? providerSid : ''}\u0000${idToken}`;
  if (decoded.has(key)) return decoded.get(key);
  const value = decode();
  const claims = value ? deepFreeze(value) : undefined;
  decoded.set(key, claims);
  return claims;
}
