import express, { type Request, type Router } from 'express';
import type { AuditService } from '../audit/service.js';
import { NotFoundError, ServiceUnavailableError } from '../http/errors.js';
import { connectionButtons } from './connections.js';
import { requiresAuth, startStepUp } from './guards.js';
import { DEFAULT_RETURN_TO, safeReturnTo } from './return-to.js';

interface AuthRouteDeps {
  baseUrl: string;
  socialConnections: string[];
  audit: AuditService;
  mfaMaxAgeSeconds: number;
  /** Deletes the current session from the store now; rejects when the store fails. */
  endCurrentSession: (req: Request) => Promise<void>;
}

/**
 * Sign-in and sign-out. The callback itself is served by express-openid-connect.
 *   GET  /signin               the app's sign-in page: a button per social connection, or email
 *   GET  /login                start the code flow; `returnTo` must be a same-origin path
 *   GET  /login/:connection    the same through one allow-listed social connection
 *   POST /login/step-up        (CSRF-checked) try the MFA step-up again after it failed
 *   POST /logout               (CSRF-checked) end the server-side session, then sign out at the provider
 */
export function authRoutes(deps: AuthRouteDeps): Router {
  const router = express.Router();
  const allowed = new Set(deps.socialConnections);
  const buttons = connectionButtons(deps.socialConnections);

  router.get('/signin', function signInPage(req, res) {
    const returnTo = safeReturnTo(req.query.returnTo, DEFAULT_RETURN_TO);
    if (req.user) return res.redirect(returnTo);
    res.render('layout', { page: 'pages/signin', title: 'Sign in', buttons, returnTo });
  });

  router.get('/login', async function login(req, res) {
    const returnTo = safeReturnTo(req.query.returnTo, DEFAULT_RETURN_TO);
    res.set('Cache-Control', 'no-store');
    if (req.user) return res.redirect(returnTo);
    await res.oidc.login({ returnTo });
  });

  router.get('/login/:connection', async function loginWithConnection(req, res, next) {
    const connection = req.params.connection;
    // Only connections this deployment enables are forwarded; nothing else from the query reaches the provider.
    if (!allowed.has(connection)) return next(new NotFoundError());
    const returnTo = safeReturnTo(req.query.returnTo, DEFAULT_RETURN_TO);
    res.set('Cache-Control', 'no-store');
    if (req.user) return res.redirect(returnTo);
    await res.oidc.login({ returnTo, authorizationParams: { connection } });
  });

  router.post('/login/step-up', requiresAuth, async function stepUp(req, res) {
    const returnTo = safeReturnTo((req.body as Record<string, unknown> | undefined)?.returnTo, DEFAULT_RETURN_TO);
    await deps.audit.record(req, 'mfa.step_up', { detail: { path: returnTo.split('?')[0], retry: true } });
    await startStepUp(res, returnTo, deps.mfaMaxAgeSeconds);
  });

  router.post('/logout', requiresAuth, async function logout(req, res, next) {
    try {
      // Deleted first, so a store failure is an error page rather than a sign-out that did not happen.
      await deps.endCurrentSession(req);
    } catch (err) {
      return next(new ServiceUnavailableError('We could not sign you out just now. Please try again.', { cause: err }));
    }
    await deps.audit.record(req, 'logout');
    // Ask the browser to drop anything it cached or stored for this origin. Cookies are not
    // listed: that would also clear an identity provider's cookies on the same site before
    // its own logout runs; the session cookie is cleared explicitly instead.
    res.set('Clear-Site-Data', '"cache", "storage"');
    await res.oidc.logout({ returnTo: `${deps.baseUrl}/` });
  });

  // Signing out changes state, so it is never done by a GET (a link or an image could trigger it).
  router.all('/logout', function logoutNeedsPost(_req, res) {
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
