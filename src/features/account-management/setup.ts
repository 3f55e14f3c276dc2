import type { Kysely } from 'kysely';
import { systemClock, type Clock } from '../../clock/clock.js';
import type { ResolvedConfig } from '../../config/config.js';
import type { Database } from '../../db/schema.js';
import { createPasswordResets } from '../../identity/authentication-api.js';
import { createManagementApi, type ManagementApi } from '../../identity/management-api.js';
import type { Logger } from '../../logging/logger.js';
import type { Mailer } from '../../mail/mailer.js';
import type { UserSessionStore } from '../../sessions/types.js';
import type { UsersService } from '../../users/service.js';
import { createAccountDeletion } from './deletion.js';
import { createAccountRepository } from './repository.js';
import { createAccountService } from './service.js';

/**
 * Wires account management to the identity provider: the Management API client (when the M2M
 * application is configured, or given by the caller), password resets, the service and the
 * deletion, plus what every sign-in must run first.
 */
export function createAccountManagement(o: {
  config: ResolvedConfig;
  issuerBaseUrl: string;
  db: Kysely<Database>;
  users: UsersService;
  sessions: UserSessionStore;
  logger: Logger;
  clock: Clock;
  mailer: Mailer | null;
  /** Overrides the client built from config.management (null: none). */
  managementApi?: ManagementApi | null;
}) {
  const management =
    o.managementApi !== undefined
      ? o.managementApi
      : o.config.management
        ? // Token lifetimes are real time, whatever the app's clock says.
          createManagementApi({ baseUrl: o.issuerBaseUrl, ...o.config.management, clock: systemClock })
        : null;
  const account = createAccountService({
    users: o.users,
    management,
    passwordResets: createPasswordResets({ baseUrl: o.issuerBaseUrl, clientId: o.config.clientId, connection: o.config.databaseConnection }),
    mailer: o.mailer,
    logger: o.logger,
    clock: o.clock,
  });
  const deletion = createAccountDeletion({ repo: createAccountRepository(o.db), management, sessions: o.sessions, clock: o.clock, logger: o.logger });
  return {
    account,
    deletion,
    /** Before a sign-in is recorded: finish an earlier deletion of the same `sub`, forget cached answers. */
    async beforeSignIn(sub: string): Promise<void> {
      await deletion.finishBeforeSignIn(sub);
      account.forgetAuthenticator(sub);
    },
  };
}
