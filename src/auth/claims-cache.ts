import type { Request } from 'express';
import type { SessionAccess } from '../sessions/access.js';
import { deepFreeze } from '../lib/freeze.js';
import { ForgetfulMap } from '../lib/forgetful-map.js';

/**
 * express-openid-connect decodes and deep-copies the ID token every time `req.oidc.idTokenClaims`
 * (or `isAuthenticated()`) is read, and a page reads it several times. This reads them once per
 * request and again only if the session's ID token changes (sign-in, sign-out), and decodes each
 * token once per process. Callers get one frozen object, so none of them can change what the
 * others see.
 */
export function cacheClaimsOn(req: Request, session: SessionAccess): void {
  const context = req.oidc;
  const getter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(context), 'idTokenClaims')?.get;
  if (!getter) return;
  let decodedFrom: unknown = Symbol('nothing decoded yet');
  let claims: Record<string, unknown> | undefined;
  Object.defineProperty(context, 'idTokenClaims', {
    configurable: true,
    enumerable: false,
    get() {
      const s = session(req);
      const idToken = s?.id_token;
      if (idToken !== decodedFrom) {
        decodedFrom = idToken;
        claims = typeof idToken === 'string' ? decodedClaims(idToken, s?.sid, () => getter.call(context) as Record<string, unknown> | undefined) : undefined;
      }
      return claims;
    },
  });
}

/**
 * The library's claims are a pure function of the ID token and the session's backup `sid`, and a
 * signed-in person sends the same ones on every request: decoded once per process, frozen through
 * and through, and shared. Bounded: the map is emptied when full.
 */
const decoded = new ForgetfulMap<string, Readonly<Record<string, unknown>> | undefined>(10_000);

function decodedClaims(idToken: string, sid: unknown, decode: () => Record<string, unknown> | undefined): Readonly<Record<string, unknown>> | undefined {
  const key = `${typeof sid === 'string' ? sid : ''}\u0000${idToken}`;
  if (decoded.has(key)) return decoded.get(key);
  const value = decode();
  const claims = value ? deepFreeze(value) : undefined;
  decoded.set(key, claims);
  return claims;
}
