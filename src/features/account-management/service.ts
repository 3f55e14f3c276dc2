import { connectionOfSub } from '../../auth/connections.js';
import type { CurrentUser } from '../../auth/current-user.js';
import type { Clock } from '../../clock/clock.js';
import { HttpError } from '../../http/errors.js';
import type { PasswordResets } from '../../identity/authentication-api.js';
import { IdentityApiError } from '../../identity/idp-http.js';
import type { ManagementApi } from '../../identity/management-api.js';
import { ForgetfulMap } from '../../lib/forgetful-map.js';
import type { Logger } from '../../logging/logger.js';
import type { Mailer } from '../../mail/mailer.js';
import type { UsersService } from '../../users/service.js';

export interface AccountServiceDeps {
  users: UsersService;
  /** Null when no machine-to-machine application is configured. */
  management: ManagementApi | null;
  passwordResets: PasswordResets;
  mailer: Mailer | null;
  logger: Logger;
  clock: Clock;
}

/** What this user can do here, and why not. */
export interface AccountCapabilities {
  /** Null for email-and-password users; else the provider that manages the password (Google, GitHub). */
  passwordManagedBy: string | null;
  /** Why Management API features are off in this deployment, or null when they are on. */
  managementUnavailable: string | null;
  /** Why changing the email is off, or null when it is on. */
  emailChangeUnavailable: string | null;
}

export type AuthenticatorStatus = 'enrolled' | 'none' | 'unknown';

const NO_MANAGEMENT =
  'This deployment has no machine-to-machine application for the sign-in service (AUTH0_MGMT_CLIENT_ID and AUTH0_MGMT_CLIENT_SECRET), so this cannot be done here.';
const NO_MAILER = 'This deployment cannot send email to your current address to tell it about the change, so changing it is turned off.';
/** How long the profile trusts what the provider said about the authenticator. */
const AUTHENTICATOR_CACHE_MS = 60_000;
const AUTHENTICATOR_CACHE_MAX = 10_000;

/** Auth0 gives email-and-password users a `sub` starting with "auth0|". */
export const isDatabaseUser = (sub: string) => sub.startsWith('auth0|');

/** "a***@example.com": enough for the owner to recognise, little for anyone else. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

/**
 * Profile management through the identity provider: a password-reset email, a new email address,
 * removing the authenticator. The provider is asked first; nothing local changes when it refuses.
 */
export function createAccountService(deps: AccountServiceDeps) {
  const authenticatorCache = new ForgetfulMap<string, { enrolled: boolean; until: number }>(AUTHENTICATOR_CACHE_MAX);
  const inFlight = new Map<string, Promise<boolean>>();
  const now = () => deps.clock.now().getTime();
  const unreadAuthenticator = (err: unknown) =>
    deps.logger.warn({ failure: (err as IdentityApiError).failure, detail: (err as IdentityApiError).detail }, 'could not read the authenticator status');

  /** Why the Management API features are off here, or null when they are on. */
  const managementUnavailable = (): string | null => (deps.management ? null : NO_MANAGEMENT);

  function management(): ManagementApi {
    if (!deps.management) throw new HttpError(503, NO_MANAGEMENT);
    return deps.management;
  }

  return {
    managementUnavailable,

    capabilities(user: CurrentUser): AccountCapabilities {
      return {
        passwordManagedBy: isDatabaseUser(user.sub) ? null : connectionOfSub(user.sub),
        managementUnavailable: managementUnavailable(),
        emailChangeUnavailable: managementUnavailable() ?? (deps.mailer ? null : NO_MAILER),
      };
    },

    /**
     * Asks the provider, trusting its answer for a minute unless `fresh`; 'unknown' when it
     * cannot be asked or does not answer. Each sign-in forgets the answer (an MFA step may enrol).
     * `waitMs` bounds how long a page waits: past it the answer is 'unknown' ("could not be checked
     * just now") and the late answer fills the cache for the next view (under the load run, 200
     * people opening their profile at once waited up to 8 s for the provider otherwise).
     */
    async authenticator(sub: string, opts: { fresh?: boolean; waitMs?: number } = {}): Promise<AuthenticatorStatus> {
      if (!deps.management) return 'unknown';
      const hit = opts.fresh ? undefined : authenticatorCache.get(sub);
      if (hit && hit.until > now()) return hit.enrolled ? 'enrolled' : 'none';
      try {
        // Concurrent pages of one user share one question to the provider.
        let asking = inFlight.get(sub);
        if (!asking) {
          asking = deps.management
            .hasAuthenticator(sub)
            .then((enrolled) => {
              authenticatorCache.set(sub, { enrolled, until: now() + AUTHENTICATOR_CACHE_MS });
              return enrolled;
            })
            .finally(() => inFlight.delete(sub));
          inFlight.set(sub, asking);
        }
        let timer: NodeJS.Timeout | undefined;
        const late = opts.waitMs === undefined ? null : new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), opts.waitMs)));
        const enrolled = await (late ? Promise.race([asking, late]) : asking).finally(() => clearTimeout(timer));
        if (enrolled === 'late') {
          // Still asked: a failure then is logged, not thrown at nobody.
          asking.catch(unreadAuthenticator);
          return 'unknown';
        }
        return enrolled ? 'enrolled' : 'none';
      } catch (err) {
        unreadAuthenticator(err);
        return 'unknown';
      }
    },

    /** Called at every sign-in of `sub`. */
    forgetAuthenticator(sub: string): void {
      authenticatorCache.delete(sub);
    },

    /** Has the provider email a reset link; only for email-and-password users. */
    async requestPasswordReset(user: CurrentUser): Promise<void> {
      if (!isDatabaseUser(user.sub) || !user.email) throw new HttpError(400, 'Your password is managed by the service you sign in with, not here.');
      await deps.passwordResets.send(user.email);
    },

    /**
     * Sets a new, unverified address at the provider (which emails a verification link to it),
     * records it, and tells the old address. Resolves to whether the old address could be told.
     */
    async changeEmail(user: CurrentUser, email: string): Promise<{ oldAddressTold: boolean }> {
      if (!isDatabaseUser(user.sub)) throw new HttpError(400, 'Your email address is managed by the service you sign in with, not here.');
      if (!deps.mailer) throw new HttpError(503, NO_MAILER);
      if (user.email && user.email.toLowerCase() === email.toLowerCase()) throw new HttpError(400, 'That is already your email address.');
      await management().changeEmail(user.sub, email);
      await deps.users.setUnverifiedEmail(user.sub, email);
      if (!user.email) return { oldAddressTold: false };
      try {
        await deps.mailer.send({
          to: user.email,
          subject: 'Your email address was changed',
          text:
            `The email address of your Personal Finance Coach account was changed to ${maskEmail(email)} on ${deps.clock.now().toISOString().slice(0, 16).replace('T', ' ')} UTC. ` +
            'If you did not do this, reset your password and contact support straight away.',
        });
        return { oldAddressTold: true };
      } catch (err) {
        deps.logger.error({ err }, 'could not tell the old address about an email change');
        return { oldAddressTold: false };
      }
    },

    /** Removes every authenticator of `sub` at the provider; the next MFA step enrols a new one. */
    async removeAuthenticator(sub: string): Promise<void> {
      await management().removeAuthenticators(sub);
      authenticatorCache.delete(sub);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
