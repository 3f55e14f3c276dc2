import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/config.js';
import type { AuditService } from '../audit/service.js';
import { ForbiddenError, HttpError } from '../http/errors.js';
import { wantsHtml } from '../http/negotiation.js';
import type { SessionAccess } from '../sessions/access.js';
import { idTokenClaims } from './claims-cache.js';
import { MFA_POLICY, mfaStatus } from './mfa.js';
import { safeReturnTo } from './return-to.js';

const isPageRequest = (req: Request) => (req.method === 'GET' || req.method === 'HEAD') && wantsHtml(req);

/**
 * Lets signed-in requests through. Anonymous page requests (GET/HEAD from a browser) go to the
 * login page with a returnTo of where they were going; anything else gets a 401, as JSON
 * unless the client asked for HTML.
 */
export const requiresAuth: RequestHandler = (req, res, next) => {
  if (req.user) {
    next();
    return;
  }
  if (isPageRequest(req)) {
    res.redirect(302, loginUrlFor(req));
    return;
  }
  next(new HttpError(401, 'Please sign in to continue.'));
};

export function loginUrlFor(req: Request): string {
  return `/login?returnTo=${encodeURIComponent(safeReturnTo(req.originalUrl))}`;
}

/** Starts a login that asks the provider for MFA and a fresh authentication, and says so in the state. */
export async function startStepUp(res: Response, returnTo: string, maxAgeSeconds: number): Promise<void> {
  await res.oidc.login({
    returnTo,
    authorizationParams: { acr_values: MFA_POLICY, max_age: maxAgeSeconds },
    // Read back by afterCallback through the login state, to tell "asked and not done" from "never asked".
    stepUp: true,
  } as Parameters<Response['oidc']['login']>[0]);
}

export interface GuardDeps {
  audit: AuditService;
  session: SessionAccess;
  mfaMaxAgeMinutes: number;
  mfaMode: Config['mfaMode'];
  now?: () => number;
}

/** Guards that need the audit log or the session; each is one small middleware. */
export function createGuards(deps: GuardDeps) {
  const now = deps.now ?? (() => Date.now());
  const maxAgeSeconds = deps.mfaMaxAgeMinutes * 60;

  /** Roles come only from the verified ID token's namespaced claim (see auth/current-user.ts). */
  function requiresRole(role: string): RequestHandler {
    return async function requiresRoleGuard(req, res, next) {
      if (!req.user) return requiresAuth(req, res, next);
      if (req.user.roles.includes(role)) return next();
      await deps.audit.record(req, 'access.denied', { detail: { role, path: req.originalUrl.split('?')[0] } });
      next(new ForbiddenError('Your account does not have access to this area.'));
    };
  }

  /**
   * Passes when the ID token shows MFA (and, with `fresh`, within MFA_MAX_AGE_MINUTES). Otherwise
   * a page request is sent through a step-up login; if the provider came back without MFA, a 403
   * page explains how to enrol instead of sending the browser round again.
   */
  function requiresMfa(opts: { fresh: boolean } = { fresh: true }): RequestHandler {
    return async function requiresMfaGuard(req, res, next) {
      if (!req.user) return requiresAuth(req, res, next);
      const status = mfaStatus(idTokenClaims(req, deps.session), Math.floor(now() / 1000), maxAgeSeconds);
      if (status.done && (!opts.fresh || status.fresh)) return next();
      const returnTo = safeReturnTo(req.originalUrl);
      if (deps.session(req)?.mfaStepUpFailed) {
        await deps.audit.record(req, 'mfa.step_up_failed', { detail: { path: returnTo.split('?')[0] } });
        return next(
          new HttpError(403, 'This area needs multi-factor authentication, and your sign-in did not include it.').withView(
            'errors/mfa-required',
            'Multi-factor authentication needed',
            { returnTo },
          ),
        );
      }
      if (isPageRequest(req)) {
        await deps.audit.record(req, 'mfa.step_up', { detail: { path: returnTo.split('?')[0], fresh: opts.fresh } });
        return startStepUp(res, returnTo, maxAgeSeconds);
      }
      next(new HttpError(403, 'This action needs a recent multi-factor verification. Open the page again to verify.'));
    };
  }

  /** No finance page or data for an unverified email address. */
  const requiresVerifiedEmail: RequestHandler = async (req, res, next) => {
    if (!req.user) return requiresAuth(req, res, next);
    if (req.user.emailVerified) return next();
    await deps.audit.record(req, 'email.unverified_blocked', { detail: { path: req.originalUrl.split('?')[0] } });
    if (isPageRequest(req)) return res.redirect(302, '/verify-email');
    next(new HttpError(403, 'Please verify your email address first.'));
  };

  /** What every finance area needs: signed in, verified email, and MFA when MFA_MODE=always. */
  const member: RequestHandler[] = [
    requiresAuth,
    ...(deps.mfaMode === 'always' ? [requiresMfa({ fresh: false })] : []),
    requiresVerifiedEmail,
  ];

  return { requiresAuth, requiresRole, requiresMfa, requiresVerifiedEmail, member, maxAgeSeconds };
}

export type Guards = ReturnType<typeof createGuards>;
