import type { Request } from 'express';
import type { AppSessionData } from '../types/express.js';

export type { AppSessionData };
export type SessionAccess = (req: Request) => AppSessionData | undefined;

/**
 * The session layer (session-layer.ts) puts the session on `req[cookieName]`, where
 * express-openid-connect also reads and writes it, and the cookie name depends on
 * the config (`__Host-` over https). Everything reads it through this one accessor.
 */
export function sessionAccess(cookieName: string): SessionAccess {
  return (req) => (req as unknown as Record<string, AppSessionData | undefined>)[cookieName];
}

/**
 * Empties the current request's session, so the session layer deletes it, clears the cookie and stores nothing at
 * the end of the response (after an account is deleted there is nobody to keep signed in).
 */
export function sessionClearer(cookieName: string): (req: Request) => void {
  return (req) => {
    (req as unknown as Record<string, AppSessionData | undefined>)[cookieName] = undefined;
  };
}
