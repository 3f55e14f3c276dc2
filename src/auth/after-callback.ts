import type { OidcHooks } from './oidc.js';
import { currentUserFromClaims } from './current-user.js';
import type { UsersService } from '../features/users/service.js';
import { HttpError } from '../http/errors.js';

/**
 * After a successful code exchange: record the user (keyed on `sub`) and note on the session
 * who owns it and from where, so sessions can be listed and ended per user.
 */
export function createAfterCallback(users: UsersService, rolesClaim: string): OidcHooks['afterCallback'] {
  return async (req, _res, session) => {
    const user = currentUserFromClaims(req.oidc.idTokenClaims, rolesClaim);
    if (!user) throw new HttpError(400, 'The sign-in response was not valid. Please try again.');
    await users.recordLogin(user);
    return {
      ...session,
      userSub: user.sub,
      meta: {
        ip: req.ip,
        userAgent: (req.get('user-agent') ?? '').slice(0, 256),
        startedAt: new Date().toISOString(),
      },
    };
  };
}
