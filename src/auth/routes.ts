import express, { type Router } from 'express';
import { requiresAuth } from './guards.js';
import { DEFAULT_RETURN_TO, safeReturnTo } from './return-to.js';

/**
 * Sign-in and sign-out. The callback itself is served by express-openid-connect.
 *   GET  /login    start the code flow; `returnTo` must be a same-origin path
 *   POST /logout   (CSRF-checked) end the server-side session, then sign out at the provider
 */
export function authRoutes(baseUrl: string): Router {
  const router = express.Router();

  router.get('/login', async (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, DEFAULT_RETURN_TO);
    res.set('Cache-Control', 'no-store');
    if (req.user) {
      res.redirect(returnTo);
      return;
    }
    await res.oidc.login({ returnTo });
  });

  router.post('/logout', requiresAuth, async (_req, res) => {
    await res.oidc.logout({ returnTo: `${baseUrl}/` });
  });

  // Signing out changes state, so it is never done by a GET (a link or an image could trigger it).
  router.all('/logout', (_req, res) => {
    res.set('Allow', 'POST').status(405);
    res.render('layout', {
      page: 'errors/error',
      title: 'Use the sign-out button',
      status: 405,
      message: 'To sign out, use the "Sign out" button at the top of any page.',
    });
  });

  return router;
}
