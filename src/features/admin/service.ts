import type { UserSessionStore } from '../../sessions/types.js';
import { HttpError } from '../../http/errors.js';
import type { UsersService } from '../../users/service.js';
import type { AccountService } from '../account-management/service.js';

export interface UserOverview {
  sub: string;
  name: string | null;
  email: string | null;
  roles: string[];
  mfaSeen: boolean;
  lastMfaAt: string | null;
  lastLoginAt: string;
  activeSessions: number;
}

/** What the admin dashboard shows and does. */
export function createAdminService(users: UsersService, sessions: UserSessionStore, account: AccountService) {
  const known = async (sub: string) => {
    if (!sub || !(await users.find(sub))) throw new HttpError(404, 'There is no such user.');
  };
  return {
    /** Null when the Management API is configured, else why removing an authenticator is off. */
    managementUnavailable: account.managementUnavailable,

    async usersOverview(limit = 200): Promise<UserOverview[]> {
      const [list, counts] = await Promise.all([users.list(limit), sessions.countActiveByUser()]);
      return list.map((u) => ({
        sub: u.sub,
        name: u.name,
        email: u.email,
        roles: u.roles,
        mfaSeen: u.lastMfaAt !== null,
        lastMfaAt: u.lastMfaAt,
        lastLoginAt: u.lastLoginAt,
        activeSessions: counts.get(u.sub) ?? 0,
      }));
    },

    /** Deletes every server-side session of a known user; their next request is anonymous. */
    async endSessionsOf(sub: string): Promise<number> {
      await known(sub);
      return sessions.destroyAllForUser(sub);
    },

    /** Removes a known user's authenticators at the provider (a lost phone); their next MFA step enrols anew. */
    async removeAuthenticatorOf(sub: string): Promise<void> {
      await known(sub);
      await account.removeAuthenticator(sub);
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
