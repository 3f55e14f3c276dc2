import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../clock/clock.js';
import { HttpError, ServiceUnavailableError } from '../../http/errors.js';
import type { ManagementApi } from '../../identity/management-api.js';
import type { Logger } from '../../logging/logger.js';
import type { UserSessionStore } from '../../sessions/types.js';
import type { AccountRepository } from './repository.js';

export type DeletionOutcome = { status: 'deleted'; rows: number } | { status: 'finishing' };

/** Waits before each local attempt inside the request; later attempts are housekeeping's. */
const DEFAULT_RETRY_DELAYS_MS = [0, 200, 1000];

/**
 * Deleting an account, in an order that never leaves half a user behind:
 *   1. a marker row says a deletion is under way;
 *   2. the identity provider's user is deleted; if that fails, the marker goes and nothing else changed;
 *   3. every session of the user, then every row of their data with the marker, in one transaction.
 * Step 3 is retried here, then by housekeeping, and before anyone signs in with that `sub` again.
 */
export function createAccountDeletion(deps: {
  repo: AccountRepository;
  management: ManagementApi | null;
  sessions: UserSessionStore;
  clock: Clock;
  logger: Logger;
  retryDelaysMs?: number[];
}) {
  const delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;

  async function finishLocal(sub: string): Promise<number> {
    await deps.repo.noteAttempt(sub);
    await deps.sessions.destroyAllForUser(sub);
    return deps.repo.deleteEverything(sub);
  }

  async function finishWithRetries(sub: string): Promise<DeletionOutcome> {
    let lastError: unknown;
    for (const delay of delays) {
      if (delay > 0) await sleep(delay);
      try {
        return { status: 'deleted', rows: await finishLocal(sub) };
      } catch (err) {
        lastError = err;
      }
    }
    deps.logger.error({ err: lastError, attempts: delays.length }, 'account deletion: the local step failed; housekeeping will retry it');
    return { status: 'finishing' };
  }

  return {
    async delete(sub: string): Promise<DeletionOutcome> {
      if (!deps.management) throw new HttpError(503, 'Account deletion needs the sign-in service\'s management access, which this deployment does not have.');
      await deps.repo.mark(sub, deps.clock.now());
      try {
        await deps.management.deleteUser(sub);
      } catch (err) {
        await deps.repo.unmark(sub);
        throw err;
      }
      await deps.repo.markIdpDeleted(sub, deps.clock.now());
      return finishWithRetries(sub);
    },

    /** Housekeeping: finishes deletions whose local step failed earlier; resolves to how many finished. */
    async finishPending(limit = 50): Promise<number> {
      let finished = 0;
      for (const sub of await deps.repo.unfinished(limit)) {
        try {
          await finishLocal(sub);
          finished += 1;
        } catch (err) {
          deps.logger.error({ err }, 'account deletion: the local step failed again');
        }
      }
      return finished;
    },

    /**
     * At sign-in: a `sub` whose provider user was deleted (a social identity can come back with
     * the same `sub`) starts fresh only after the old data is gone; until then sign-in fails.
     */
    async finishBeforeSignIn(sub: string): Promise<void> {
      if (!(await deps.repo.isIdpDeleted(sub))) return;
      try {
        await finishLocal(sub);
      } catch (err) {
        throw new ServiceUnavailableError('An earlier deletion of this account is still being finished. Please try again in a few minutes.', { cause: err });
      }
    },
  };
}

export type AccountDeletion = ReturnType<typeof createAccountDeletion>;
