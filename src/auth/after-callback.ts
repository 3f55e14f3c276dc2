import crypto from 'node:crypto';
import type { AuditService } from '../audit/service.js';
import type { UsersService } from '../users/service.js';
import { HttpError } from '../http/errors.js';
import type { IdTokenVerifier } from './id-token-verifier.js';
import type { UserSessionStore } from '../sessions/types.js';
import { currentUserFromClaims } from './current-user.js';
import { mfaStatus } from './mfa.js';
import type { OidcHooks } from './oidc.js';

interface HookDeps {
  users: UsersService;
  audit: AuditService;
  store: UserSessionStore;
  rolesClaim: string;
  verifyIdToken: IdTokenVerifier;
  /** Runs before the user is recorded (finishes an account deletion of the same `sub`); a rejection fails the sign-in. */
  beforeLogin?: (sub: string) => Promise<void>;
}

/**
 * After a successful code exchange: record the user (keyed on `sub`), note whether a requested
 * step-up came back without MFA, and label the session with its owner and origin so sessions
 * can be listed and ended per user.
 */
export function createAfterCallback(deps: HookDeps): OidcHooks['afterCallback'] {
  return async (req, _res, session, state) => {
    // The ID token of *this* callback, its signature verified here. req.oidc.idTokenClaims may still
    // hold the previous token when the same user signs in again (a step-up), so it is not used here.
    const claims = await deps.verifyIdToken(session.id_token);
    const user = currentUserFromClaims(claims, deps.rolesClaim);
    if (!user) throw new HttpError(400, 'The sign-in response was not valid. Please try again.');
    const mfa = mfaStatus(claims, Math.floor(Date.now() / 1000), Number.MAX_SAFE_INTEGER).done;
    await deps.beforeLogin?.(user.sub);
    await deps.users.recordLogin(user, { mfa });
    await deps.audit.record(req, 'login.success', { actorSub: user.sub, detail: { mfa, stepUp: state.stepUp === true } });
    return {
      ...session,
      userSub: user.sub,
      // Always written, so an earlier failed step-up does not outlive a later successful one.
      mfaStepUpFailed: state.stepUp === true && !mfa,
      meta: {
        ip: req.ip,
        userAgent: (req.get('user-agent') ?? '').slice(0, 256),
        startedAt: new Date().toISOString(),
        handle: crypto.randomBytes(12).toString('base64url'),
      },
    };
  };
}

/** Ends what a verified logout token names: one provider session (`sid`), or all of a user's. */
export function createLogoutTokenHandler(deps: Pick<HookDeps, 'store' | 'audit'>): (token: { sub?: string; sid?: string }) => Promise<void> {
  return async (token) => {
    const ended = token.sid ? await deps.store.destroyByProviderSession(token.sid) : token.sub ? await deps.store.destroyAllForUser(token.sub) : 0;
    await deps.audit.recordSystem('backchannel.logout', { targetSub: token.sub ?? null, detail: { sessionsEnded: ended, bySid: Boolean(token.sid) } });
  };
}
