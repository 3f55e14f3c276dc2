import { PROFILE_NOTICES } from '../profile/routes.js';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Guards } from '../../auth/guards.js';
import { IdentityApiError } from '../../identity/idp-http.js';
import { HttpError } from '../../http/errors.js';
import type { AuditService } from '../../audit/service.js';
import type { AccountDeletion } from './deletion.js';
import { confirmsDeletion, DELETE_CONFIRMATION, parseNewEmail } from './input.js';
import type { AccountService } from './service.js';

interface Deps {
  guards: Guards;
  account: AccountService;
  deletion: AccountDeletion;
  audit: AuditService;
  /** At most one reset email per user per five minutes. */
  passwordResetLimit: RequestHandler;
  clearSession: (req: Request) => void;
}

/**
 * Runs a change that the provider (or a rule before it) may refuse: a refusal comes back to be
 * shown on the form it came from; anything else goes on to the error handler.
 */
async function refusable<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; refusal: HttpError }> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    if (err instanceof HttpError && (err instanceof IdentityApiError || err.status === 400 || err.status === 503)) return { ok: false, refusal: err };
    throw err;
  }
}

/**
 * /account: the jobs that go through the identity provider. Every change is a CSRF-checked POST
 * and audited; changing the email, removing the authenticator and deleting the account also
 * need a fresh MFA (their pages start the step-up). Nothing here takes a user id from the
 * request: each acts on the signed-in user only.
 *   POST /account/password        email a password-reset link (email-and-password users)
 *   GET|POST /account/email       set a new address, unverified until its link is followed
 *   GET /account/mfa, POST /account/mfa/remove
 *   GET|POST /account/delete      delete the account at the provider, then every local row and session
 */
export function accountManagementRoutes(deps: Deps): Router {
  const router = express.Router();
  router.use(deps.guards.requiresAuth);
  const fresh = deps.guards.requiresMfa();

  router.post('/password', deps.passwordResetLimit, async function accountManagementPostPassword(req, res) {
    await deps.account.requestPasswordReset(req.user!);
    await deps.audit.record(req, 'password.reset_requested');
    req.flash(PROFILE_NOTICES.resetSent);
    res.redirect(303, '/profile');
  });

  const emailPage = async (req: Request, res: Response, status: number, locals: { value: string; error: string | null }) => {
    const can = deps.account.capabilities(req.user!);
    res.status(status).render('layout', { page: 'account-management/email', title: 'Change your email address', unavailable: can.emailChangeUnavailable, managedBy: can.passwordManagedBy, ...locals });
  };

  router.get('/email', fresh, function accountManagementGetEmail(req, res) { return emailPage(req, res, 200, { value: '', error: null }); });

  router.post('/email', fresh, async function accountManagementPostEmail(req, res) {
    const raw = (req.body as Record<string, unknown> | undefined)?.email;
    const parsed = parseNewEmail(raw);
    if (!parsed.ok) return emailPage(req, res, 400, { value: typeof raw === 'string' ? raw.slice(0, 254) : '', error: parsed.error });
    const changed = await refusable(() => deps.account.changeEmail(req.user!, parsed.email));
    if (!changed.ok) return emailPage(req, res, changed.refusal.status, { value: parsed.email, error: changed.refusal.publicMessage });
    const told = changed.value.oldAddressTold;
    await deps.audit.record(req, 'email.changed', { detail: { oldAddressTold: told } });
    req.flash(told ? PROFILE_NOTICES.emailChanged : PROFILE_NOTICES.emailChangedUntold);
    res.redirect(303, '/profile');
  });

  const mfaPage = async (req: Request, res: Response, status: number, error: string | null) => {
    const authenticator = await deps.account.authenticator(req.user!.sub, { fresh: true });
    const can = deps.account.capabilities(req.user!);
    res.status(status).render('layout', { page: 'account-management/mfa', title: 'Multi-factor authentication', authenticator, unavailable: can.managementUnavailable, error });
  };

  router.get('/mfa', fresh, function accountManagementGetMfa(req, res) { return mfaPage(req, res, 200, null); });

  router.post('/mfa/remove', fresh, async function accountManagementPostMfaRemove(req, res) {
    const removed = await refusable(() => deps.account.removeAuthenticator(req.user!.sub));
    if (!removed.ok) return mfaPage(req, res, removed.refusal.status, removed.refusal.publicMessage);
    await deps.audit.record(req, 'mfa.removed', { targetSub: req.user!.sub });
    req.flash(PROFILE_NOTICES.mfaRemoved);
    res.redirect(303, '/profile');
  });

  const deletePage = async (req: Request, res: Response, status: number, error: string | null) => {
    const can = deps.account.capabilities(req.user!);
    res.status(status).render('layout', { page: 'account-management/delete', title: 'Delete your account', confirmation: DELETE_CONFIRMATION, unavailable: can.managementUnavailable, error });
  };

  router.get('/delete', fresh, function accountManagementGetDelete(req, res) { return deletePage(req, res, 200, null); });

  router.post('/delete', fresh, async function accountManagementPostDelete(req, res) {
    if (!confirmsDeletion((req.body as Record<string, unknown> | undefined)?.confirm)) {
      return deletePage(req, res, 400, `Type ${DELETE_CONFIRMATION} in capitals to confirm.`);
    }
    const sub = req.user!.sub;
    const done = await refusable(() => deps.deletion.delete(sub));
    if (!done.ok) {
      const { refusal } = done;
      await deps.audit.record(req, 'account.delete_failed', { detail: { failure: refusal instanceof IdentityApiError ? refusal.failure : String(refusal.status) } });
      return deletePage(req, res, refusal.status, `Nothing was deleted. ${refusal.publicMessage}`);
    }
    const outcome = done.value;
    // Only the pseudonymous `sub` stays, in the security log; no name or address.
    await deps.audit.record(req, 'account.deleted', { actorSub: sub, targetSub: sub, detail: outcome.status === 'deleted' ? { rows: outcome.rows } : { finishing: true } });
    deps.clearSession(req);
    res.set('Clear-Site-Data', '"cache", "storage"');
    res.render('layout', { page: 'account-management/deleted', title: 'Your account is deleted', finishing: outcome.status === 'finishing', user: null });
  });

  return router;
}
