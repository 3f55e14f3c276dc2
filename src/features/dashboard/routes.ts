import express, { type Router } from 'express';
import { requiresAuth } from '../../auth/guards.js';

/** The signed-in home. Guarded at router level, so routes added here later are guarded too. */
export function dashboardRoutes(): Router {
  const router = express.Router();
  router.use(requiresAuth);
  router.get('/', (req, res) => {
    res.render('layout', { page: 'pages/dashboard', title: 'Dashboard', user: req.user });
  });
  return router;
}
