import type { CurrentUser } from '../auth/current-user.js';
import type { UsersRepository } from './repository.js';

/** Rules about app users: a login records what the identity provider asserted, nothing more. */
export function createUsersService(repo: UsersRepository, now: () => Date = () => new Date()) {
  return {
    recordLogin(user: CurrentUser, opts: { mfa: boolean }): Promise<void> {
      return repo.upsertOnLogin(
        {
          sub: user.sub,
          email: user.email,
          name: user.name,
          picture: user.picture,
          emailVerified: user.emailVerified,
          roles: user.roles,
        },
        now(),
        opts.mfa,
      );
    },
    find: (sub: string) => repo.findBySub(sub),
    findMember: (sub: string) => repo.findMember(sub),
    list: (limit: number) => repo.list(limit),
    setUnverifiedEmail: (sub: string, email: string) => repo.setUnverifiedEmail(sub, email),
    savePreferences: (sub: string, prefs: Parameters<UsersRepository['updatePreferences']>[1]) => repo.updatePreferences(sub, prefs),
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
