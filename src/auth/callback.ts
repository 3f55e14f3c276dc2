import express, { type ErrorRequestHandler, type Router } from 'express';
import type { AuditService } from '../audit/service.js';
import { HttpError } from '../http/errors.js';
import type { SessionAccess } from '../sessions/access.js';
import { connectionButtons } from './connections.js';
import { DEFAULT_RETURN_TO } from './return-to.js';

/**
 * GET/POST /callback. Mounted before the CSRF check (the provider's redirect carries no CSRF
 * token; state, nonce and PKCE protect it instead).
 *
 * express-openid-connect keeps the session id when the same user signs in again (a step-up,
 * say). When a login transaction is really being completed, the old session's contents are
 * dropped first, so the library treats it as a new login: it issues a new id and deletes the
 * old entry. A stray callback without a transaction changes nothing.
 */
export function callbackRoutes(deps: { callbackUrl: string; session: SessionAccess; transactionCookie: string }): Router {
  const router = express.Router();
  const handler: express.RequestHandler = async (req, res) => {
    const existing = deps.session(req);
    const completingLogin = (req.get('cookie') ?? '').split(';').some((c) => c.trim().startsWith(`${deps.transactionCookie}=`));
    if (req.user && existing && completingLogin) {
      for (const key of Object.keys(existing)) delete existing[key];
    }
    await res.oidc.callback({ redirectUri: deps.callbackUrl });
  };
  router.get('/callback', handler);
  router.post('/callback', handler);
  return router;
}

/**
 * Failed callbacks: recorded (the provider's own error as login.failure, a failed check as
 * callback.error), then explained. A sign-in the person cancelled at the provider answers with the
 * sign-in page itself and "Sign-in was cancelled" (still a 4xx, with no redirect); another
 * provider error gets a plain sentence and a way back to sign in.
 */
export function callbackErrors(audit: AuditService, socialConnections: string[]): ErrorRequestHandler {
  const buttons = connectionButtons(socialConnections);
  return async function callbackErrorPage(err, req, _res, next) {
    if (req.path !== '/callback') return next(err);
    const params = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown> | undefined) ?? {}) };
    const providerError = typeof params.error === 'string' ? params.error.slice(0, 64) : null;
    await audit.record(req, providerError ? 'login.failure' : 'callback.error', {
      detail: providerError ? { error: providerError } : { reason: String((err as Error)?.message ?? err).slice(0, 200) },
    });
    if (providerError === 'access_denied') {
      return next(new HttpError(400, 'Sign-in was cancelled.').withView('pages/signin', 'Sign in', { buttons, returnTo: DEFAULT_RETURN_TO, notice: 'Sign-in was cancelled. Choose a way to sign in when you are ready.' }));
    }
    if (providerError) {
      return next(new HttpError(400, 'The sign-in page could not finish signing you in. Nothing was changed; please try again.').withView('errors/error', 'Sign-in did not finish', { backTo: { href: '/signin', label: 'Back to sign in' } }));
    }
    next(err);
  };
}
