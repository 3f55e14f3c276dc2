import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { HttpError } from '../http/errors.js';
import type { SessionAccess } from '../sessions/access.js';
import type { AuditService } from '../features/audit/service.js';

export interface Csrf {
  /** Checks the token on every unsafe method; mount after the OIDC router, which owns /callback and /backchannel-logout. */
  protect: RequestHandler;
  /** Puts the token in res.locals.csrfToken for signed-in users' forms. */
  exposeToken: RequestHandler;
}

/**
 * Synchronizer tokens kept in the server-side session. Anonymous visitors get no token (and no
 * session row just for one); they have no state-changing forms.
 */
export function createCsrf(session: SessionAccess, audit: AuditService): Csrf {
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromState: (req) => session(req)?.csrfToken,
    storeTokenInState: (req, token) => {
      const s = session(req);
      if (s) s.csrfToken = token ?? undefined;
    },
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === 'string') return fromBody;
      return req.get('x-csrf-token');
    },
    size: 32,
  });

  const protect: RequestHandler = (req, res, next) => {
    csrfSynchronisedProtection(req, res, (err?: unknown) => {
      if (!err) return next();
      void audit.recordRefused(req, 'csrf.failure', { reason: 'token', path: req.path }).finally(() =>
        next(new HttpError(403, 'This form has expired or did not come from this site. Reload the page and try again.')),
      );
    });
  };

  const exposeToken: RequestHandler = (req, res, next) => {
    if (req.user) res.locals.csrfToken = generateToken(req);
    next();
  };

  return { protect, exposeToken };
}
