import express, { type Router } from 'express';
import { requiresAuth } from '../../auth/guards.js';

/**
 * For a signed-in user whose email is not verified yet. "Check again" signs in once more through
 * the provider (single sign-on, usually without a prompt) to get a fresh ID token.
 */
export function verifyEmailRoutes(): Router {
  const router = express.Router();
  router.use(requiresAuth);
  router.get('/', function verifyEmailGetIndex(req, res) {
    if (req.user?.emailVerified) return res.redirect('/dashboard');
    res.status(403).render('layout', { page: 'pages/verify-email', title: 'Verify your email address' });
  });
  router.post('/check', async function verifyEmailPostCheck(_req, res) {
    await res.oidc.login({ returnTo: '/dashboard' });
  });
  return router;
}
