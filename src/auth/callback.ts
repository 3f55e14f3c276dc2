import express, { type Router } from 'express';
import type { SessionAccess } from '../sessions/access.js';

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
