import { promisify } from 'node:util';
import type { UserSessionStore } from '../../sessions/types.js';
import type { UsersService } from '../../users/service.js';
import { describeDevice } from './devices.js';

export interface SessionView {
  device: string;
  ip: string;
  startedAt: string | null;
  lastSeenAt: string;
  current: boolean;
}

export function createProfileService(users: UsersService, sessions: UserSessionStore) {
  const destroy = promisify(sessions.destroy.bind(sessions)) as (storeKey: string) => Promise<void>;

  return {
    find: (sub: string) => users.find(sub),
    savePreferences: users.savePreferences,

    async sessionsOf(sub: string, currentHandle: string | undefined): Promise<SessionView[]> {
      const list = await sessions.listForUser(sub);
      return list.map((s) => ({
        device: describeDevice(s.meta.userAgent),
        ip: typeof s.meta.ip === 'string' ? s.meta.ip : 'unknown',
        startedAt: typeof s.meta.startedAt === 'string' ? s.meta.startedAt : null,
        lastSeenAt: s.updatedAt.toISOString(),
        current: currentHandle !== undefined && s.meta.handle === currentHandle,
      }));
    },

    /** Ends every session of this user except the one making the request. */
    async endOtherSessions(sub: string, currentHandle: string | undefined): Promise<number> {
      if (!currentHandle) return 0;
      const others = (await sessions.listForUser(sub)).filter((s) => s.meta.handle !== currentHandle);
      for (const s of others) await destroy(s.id);
      return others.length;
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
