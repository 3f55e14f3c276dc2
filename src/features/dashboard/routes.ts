import express, { type RequestHandler, type Router } from 'express';
import type { UsersService } from '../users/service.js';

/**
 * The signed-in home. Guarded at router level (signed in, verified email, MFA when required),
 * so routes added here later are guarded too.
 */
export function dashboardRoutes(deps: { member: RequestHandler[]; users: UsersService }): Router {
  const router = express.Router();
  router.use(...deps.member);
  router.get('/', async (req, res) => {
    const record = await deps.users.find(req.user!.sub);
    res.render('layout', { page: 'pages/dashboard', title: 'Dashboard', greetingName: record?.displayName ?? req.user!.name });
  });
  return router;
}
