import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { HttpError } from '../http/errors.js';
import type { SessionAccess } from '../sessions/access.js';
import type { AuditService } from '../features/audit/service.js';

export interface Csrf {
  /**
   * Checks the token on every unsafe method, then puts it in res.locals.csrfToken for signed-in
   * users' forms. Mount after the OIDC router and the callback, which carry no token.
   */
  protect: RequestHandler;
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

  const protect: RequestHandler = function csrfProtection(req, res, next) {
    csrfSynchronisedProtection(req, res, (err?: unknown) => {
      if (err) {
        void audit.recordRefused(req, 'csrf.failure', { reason: 'token', path: req.path }).finally(() =>
          next(new HttpError(403, 'This form has expired or did not come from this site. Reload the page and try again.')),
        );
        return;
      }
      if (req.user) res.locals.csrfToken = generateToken(req);
      next();
    });
  };

  return { protect };
}
