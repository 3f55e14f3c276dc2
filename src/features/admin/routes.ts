import express, { type Router } from 'express';
import type { Guards } from '../../auth/guards.js';
import type { AuditService } from '../audit/service.js';
import type { AdminService } from './service.js';

/**
 * The admin area. Every route under /admin is guarded here, at router level, so a route added
 * later is protected by where it sits: signed in, verified, `admin` role, fresh MFA.
 */
export function adminRoutes(deps: { guards: Guards; admin: AdminService; audit: AuditService }): Router {
  const router = express.Router();
  router.use(deps.guards.requiresAuth, deps.guards.requiresVerifiedEmail, deps.guards.requiresRole('admin'), deps.guards.requiresMfa());

  router.get('/', async (req, res) => {
    const [users, events] = await Promise.all([deps.admin.usersOverview(), deps.audit.recent(50)]);
    const ended = typeof req.query.ended === 'string' && /^\d{1,4}$/.test(req.query.ended) ? Number(req.query.ended) : null;
    res.render('layout', { page: 'pages/admin', title: 'Admin', users, events, ended });
  });

  router.post('/users/end-sessions', async (req, res) => {
    const sub = (req.body as Record<string, unknown> | undefined)?.sub;
    const ended = await deps.admin.endSessionsOf(typeof sub === 'string' ? sub : '');
    await deps.audit.record(req, 'admin.end_sessions', { targetSub: typeof sub === 'string' ? sub : null, detail: { sessionsEnded: ended } });
    res.redirect(303, `/admin?ended=${ended}`);
  });

  return router;
}
