import express, { type Request, type Response, type Router } from 'express';
import { connectionOfSub } from '../../auth/connections.js';
import type { Guards } from '../../auth/guards.js';
import { idTokenClaims } from '../../auth/claims-cache.js';
import { mfaStatus } from '../../auth/mfa.js';
import type { SessionAccess } from '../../sessions/access.js';
import type { AccountService } from '../account-management/service.js';
import type { AuditService } from '../../audit/service.js';
import { parsePreferences, type PreferenceErrors } from './preferences.js';
import type { ProfileService } from './service.js';
import { DEFAULT_CURRENCY } from '../../money/money.js';

interface Deps {
  guards: Guards;
  profile: ProfileService;
  account: AccountService;
  audit: AuditService;
  session: SessionAccess;
}

/** How long the profile page waits for the provider's answer about the authenticator. */
const AUTHENTICATOR_WAIT_MS = 750;

/** What the profile's changes say on the next page (flash messages). */
export const PROFILE_NOTICES = {
  saved: 'Your preferences are saved.',
  ended: 'Your other sessions are signed out.',
  resetSent: 'We asked the sign-in service to email you a link for choosing a new password. It is valid for a limited time and works once.',
  emailChanged: 'Your email address is changed. We sent a link to the new address: follow it before you next sign in. Your old address was told about the change.',
  emailChangedUntold: 'Your email address is changed. We sent a link to the new address: follow it before you next sign in. We could not email your old address about it.',
  mfaRemoved: 'Your authenticator is removed. The next time a page asks for multi-factor authentication, you will set up a new one.',
} as const;

/** /profile: who you are to the app, your preferences, and your active sessions. */
export function profileRoutes(deps: Deps): Router {
  const router = express.Router();
  // Identity and sessions only, no finance data: reachable before the email is verified.
  router.use(deps.guards.requiresAuth);

  async function render(req: Request, res: Response, status: number, form: { errors: PreferenceErrors; typed: Record<string, string> } | null) {
    const user = req.user!;
    const handle = deps.session(req)?.meta?.handle;
    const connection = connectionOfSub(user.sub);
    const [record, sessions, authenticator] = await Promise.all([
      deps.profile.find(user.sub),
      deps.profile.sessionsOf(user.sub, handle),
      deps.account.authenticator(user.sub, { waitMs: AUTHENTICATOR_WAIT_MS }),
    ]);
    const mfa = mfaStatus(idTokenClaims(req, deps.session), Math.floor(Date.now() / 1000), deps.guards.maxAgeSeconds);
    res.status(status).render('layout', {
      page: 'pages/profile',
      title: 'Your profile',
      connection,
      can: deps.account.capabilities(user),
      authenticator,
      mfa,
      lastMfaAt: record?.lastMfaAt ?? null,
      prefs: {
        displayName: form?.typed.displayName ?? record?.displayName ?? '',
        currency: form?.typed.currency ?? record?.currency ?? DEFAULT_CURRENCY,
        numberStyle: form?.typed.numberStyle ?? record?.numberStyle ?? 'dot',
      },
      errors: form?.errors ?? {},
      currencyValue: form?.typed.currency ?? record?.currency ?? DEFAULT_CURRENCY,
      sessions,
    });
  }

  router.get('/', function profileGetIndex(req, res) { return render(req, res, 200, null); });

  router.post('/preferences', async function profilePostPreferences(req, res) {
    const parsed = parsePreferences(req.body);
    if (!parsed.ok) return render(req, res, 400, { errors: parsed.errors, typed: parsed.typed });
    await deps.profile.savePreferences(req.user!.sub, parsed.value);
    req.flash(PROFILE_NOTICES.saved);
    res.redirect(303, '/profile');
  });

  router.post('/sessions/end-others', async function profilePostSessionsEndOthers(req, res) {
    const ended = await deps.profile.endOtherSessions(req.user!.sub, deps.session(req)?.meta?.handle);
    await deps.audit.record(req, 'sessions.end_others', { detail: { sessionsEnded: ended } });
    req.flash(PROFILE_NOTICES.ended);
    res.redirect(303, '/profile');
  });

  return router;
}
