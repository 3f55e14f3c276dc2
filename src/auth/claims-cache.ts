import type { Request } from 'express';
import type { SessionAccess } from '../sessions/access.js';

/**
 * express-openid-connect decodes and deep-copies the ID token every time `req.oidc.idTokenClaims`
 * (or `isAuthenticated()`) is read, and a page reads it several times. This decodes once per
 * request and again only if the session's ID token changes (sign-in, sign-out). Callers get one
 * frozen object, so none of them can change what the others see.
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
      const idToken = session(req)?.id_token;
      if (idToken !== decodedFrom) {
        decodedFrom = idToken;
        const decoded = getter.call(context) as Record<string, unknown> | undefined;
        claims = decoded ? Object.freeze(decoded) : undefined;
      }
      return claims;
    },
  });
}
