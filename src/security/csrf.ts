import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { HttpError } from '../http/errors.js';
import type { SessionAccess } from '../sessions/access.js';
import type { AuditService } from '../audit/service.js';

export interface Csrf {
  /**
   * Checks the token on every unsafe method, then puts it in res.locals.csrfToken for signed-in
   * users' forms. Mount after the OIDC router and the callback, which carry no token.
   */
  protect: RequestHandler;
}

/** Methods that change nothing, so carry no token (csrf-sync's default `ignoredMethods`). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Synchronizer tokens kept in the server-side session. Anonymous visitors get no token (and no
 * session row just for one); they have no state-changing forms.
 */
export function createCsrf(session: SessionAccess, audit: AuditService): Csrf {
  const { isRequestValid, generateToken } = csrfSync({
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

  // The library's own middleware (csrfSynchronisedProtection) also puts a `req.csrfToken` closure
  // on every request, which nothing here reads; V8's scavenger keeps such a per-request function,
  // and the request it closes over, until the next full collection. So its checks are called
  // directly: the same methods exempt (its default: GET, HEAD, OPTIONS), the same token comparison.
  const protect: RequestHandler = function csrfProtection(req, res, next) {
    if (!SAFE_METHODS.has(req.method) && !isRequestValid(req)) {
      void audit.recordRefused(req, 'csrf.failure', { reason: 'token', path: req.path }).finally(() =>
        next(new HttpError(403, 'This form has expired or did not come from this site. Reload the page and try again.')),
      );
      return;
    }
    if (req.user) res.locals.csrfToken = generateToken(req);
    next();
  };

  return { protect };
}
