import express, { type Request, type Response, type Router } from 'express';
import { connectionOfSub } from '../../auth/connections.js';
import type { Guards } from '../../auth/guards.js';
import { mfaStatus } from '../../auth/mfa.js';
import type { SessionAccess } from '../../sessions/access.js';
import type { AuditService } from '../audit/service.js';
import { currencyOptionsHtml, parsePreferences, type PreferenceErrors } from './preferences.js';
import type { ProfileService } from './service.js';

interface Deps {
  guards: Guards;
  profile: ProfileService;
  audit: AuditService;
  session: SessionAccess;
}

/** /profile: who you are to the app, your preferences, and your active sessions. */
export function profileRoutes(deps: Deps): Router {
  const router = express.Router();
  // Identity and sessions only, no finance data: reachable before the email is verified.
  router.use(deps.guards.requiresAuth);

  async function render(req: Request, res: Response, status: number, form: { errors: PreferenceErrors; typed: Record<string, string> } | null) {
    const user = req.user!;
    const handle = deps.session(req)?.meta?.handle;
    const [record, sessions] = await Promise.all([deps.profile.find(user.sub), deps.profile.sessionsOf(user.sub, handle)]);
    const mfa = mfaStatus(req.oidc.idTokenClaims, Math.floor(Date.now() / 1000), deps.guards.maxAgeSeconds);
    const notice = req.query.saved === '1' ? 'Your preferences are saved.' : req.query.ended !== undefined ? 'Your other sessions are signed out.' : null;
    res.status(status).render('layout', {
      page: 'pages/profile',
      title: 'Your profile',
      connection: connectionOfSub(user.sub),
      mfa,
      lastMfaAt: record?.lastMfaAt ?? null,
      prefs: {
        displayName: form?.typed.displayName ?? record?.displayName ?? '',
        currency: form?.typed.currency ?? record?.currency ?? 'USD',
      },
      errors: form?.errors ?? {},
      currencyOptions: currencyOptionsHtml(form?.typed.currency ?? record?.currency ?? 'USD'),
      sessions,
      notice,
    });
  }

  router.get('/', (req, res) => render(req, res, 200, null));

  router.post('/preferences', async (req, res) => {
    const parsed = parsePreferences(req.body);
    if (!parsed.ok) return render(req, res, 400, { errors: parsed.errors, typed: parsed.typed });
    await deps.profile.savePreferences(req.user!.sub, parsed.value);
    res.redirect(303, '/profile?saved=1');
  });

  router.post('/sessions/end-others', async (req, res) => {
    const ended = await deps.profile.endOtherSessions(req.user!.sub, deps.session(req)?.meta?.handle);
    await deps.audit.record(req, 'sessions.end_others', { detail: { sessionsEnded: ended } });
    res.redirect(303, '/profile?ended=1');
  });

  return router;
}
