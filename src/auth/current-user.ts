import type { RequestHandler } from 'express';
import type { SessionAccess } from '../sessions/access.js';
import { idTokenClaims } from './claims-cache.js';

/** The signed-in person as pages and guards see them, taken from the verified ID token claims. */
export interface CurrentUser {
  sub: string;
  name: string;
  email: string | null;
  emailVerified: boolean;
  picture: string | null;
  roles: string[];
}

/** Reads the roles from the configured namespaced claim only; anything malformed counts as no roles. */
export function rolesFromClaims(claims: Record<string, unknown>, rolesClaim: string): string[] {
  const value = claims[rolesClaim];
  return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : [];
}

export function currentUserFromClaims(claims: Record<string, unknown> | undefined, rolesClaim: string): CurrentUser | null {
  if (!claims || typeof claims.sub !== 'string' || claims.sub === '') return null;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const email = str(claims.email);
  return {
    sub: claims.sub,
    name: str(claims.name) ?? str(claims.nickname) ?? email ?? 'there',
    email,
    emailVerified: claims.email_verified === true,
    picture: safePictureUrl(claims.picture),
    roles: rolesFromClaims(claims, rolesClaim),
  };
}

/** Only https pictures (or http on loopback, the development provider) are rendered. */
function safePictureUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || (url.protocol === 'http:' && /^(localhost|127\.0\.0\.1)$/.test(url.hostname))) return url.href;
  } catch {
    // not a URL: no picture
  }
  return null;
}

/**
 * Right after the OIDC middleware, once per request: the ID token's claims decoded once
 * (claims-cache.ts), the signed-in person on `req.user` and the views, and `no-store` on every
 * response to a signed-in person (their pages must never be kept by a browser or shared cache).
 */
export function currentUser(session: SessionAccess, rolesClaim: string): RequestHandler {
  return function currentUserMiddleware(req, res, next) {
    const claims = idTokenClaims(req, session);
    const user = claims ? currentUserFromClaims(claims, rolesClaim) : null;
    req.user = user;
    res.locals.user = user;
    // Lower case: see securityHeaders (Node lowers a name again on every setHeader).
    if (user) res.setHeader('cache-control', 'no-store');
    next();
  };
}
