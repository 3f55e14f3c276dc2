import { plural } from '../../lib/text.js';
import express, { type Router } from 'express';
import type { Guards } from '../../auth/guards.js';
import type { AuditService } from '../../audit/service.js';
import type { AdminService } from './service.js';

const EVENTS_PER_PAGE = 50;

/**
 * The admin area. Every route under /admin is guarded here, at router level, so a route added
 * later is protected by where it sits: signed in, verified, `admin` role, fresh MFA.
 */
export function adminRoutes(deps: { guards: Guards; admin: AdminService; audit: AuditService }): Router {
  const router = express.Router();
  router.use(deps.guards.requiresAuth, deps.guards.requiresVerifiedEmail, deps.guards.requiresRole('admin'), deps.guards.requiresMfa());

  router.get('/', async function adminGetIndex(req, res) {
    // Events page through newest first: ?before=<at>_<id> names the last event of the page before.
    const raw = typeof req.query.before === 'string' ? /^(\d{4}-\d\d-\d\dT[\d:.]{8,12}Z)_([0-9a-f-]{36})$/.exec(req.query.before) : null;
    const before = raw ? { at: raw[1]!, id: raw[2]! } : undefined;
    const [users, page] = await Promise.all([deps.admin.usersOverview(), deps.audit.page(EVENTS_PER_PAGE + 1, before)]);
    const events = page.slice(0, EVENTS_PER_PAGE);
    const last = events.at(-1);
    res.render('layout', {
      page: 'pages/admin',
      title: 'Admin',
      users,
      events,
      managementUnavailable: deps.admin.managementUnavailable(),
      paged: before !== undefined,
      olderHref: page.length > EVENTS_PER_PAGE && last ? `/admin?${new URLSearchParams({ before: `${last.at}_${last.id}` })}#events-title` : null,
    });
  });

  router.post('/users/end-sessions', async function adminPostUsersEndSessions(req, res) {
    const sub = (req.body as Record<string, unknown> | undefined)?.sub;
    const ended = await deps.admin.endSessionsOf(typeof sub === 'string' ? sub : '');
    await deps.audit.record(req, 'admin.end_sessions', { targetSub: typeof sub === 'string' ? sub : null, detail: { sessionsEnded: ended } });
    req.flash(`Ended ${plural(ended, 'session')}. That user's next request is signed out.`);
    res.redirect(303, '/admin');
  });

  router.post('/users/remove-mfa', async function adminPostUsersRemoveMfa(req, res) {
    const raw = (req.body as Record<string, unknown> | undefined)?.sub;
    const sub = typeof raw === 'string' ? raw : '';
    await deps.admin.removeAuthenticatorOf(sub);
    await deps.audit.record(req, 'admin.mfa_removed', { targetSub: sub });
    req.flash("The user's authenticator is removed. Their next multi-factor step asks them to set up a new one.");
    res.redirect(303, '/admin');
  });

  return router;
}
