import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface UserRecord {
  sub: string;
  email: string | null;
  name: string | null;
  picture: string | null;
  emailVerified: boolean;
  roles: string[];
  firstSeenAt: string;
  lastLoginAt: string;
}

export type UserLogin = Omit<UserRecord, 'firstSeenAt' | 'lastLoginAt'>;

/** SQL for users. Keyed on the identity provider's `sub`, never on email. */
export function createUsersRepository(db: Kysely<Database>) {
  return {
    async upsertOnLogin(u: UserLogin, at: Date): Promise<void> {
      const now = at.toISOString();
      const row = {
        email: u.email,
        name: u.name,
        picture: u.picture,
        email_verified: u.emailVerified ? 1 : 0,
        roles: JSON.stringify(u.roles),
        last_login_at: now,
      };
      await db
        .insertInto('users')
        .values({ sub: u.sub, ...row, first_seen_at: now })
        .onConflict((oc) => oc.column('sub').doUpdateSet(row))
        .execute();
    },

    async findBySub(sub: string): Promise<UserRecord | undefined> {
      const r = await db.selectFrom('users').selectAll().where('sub', '=', sub).executeTakeFirst();
      if (!r) return undefined;
      return {
        sub: r.sub,
        email: r.email,
        name: r.name,
        picture: r.picture,
        emailVerified: r.email_verified === 1,
        roles: JSON.parse(r.roles) as string[],
        firstSeenAt: r.first_seen_at,
        lastLoginAt: r.last_login_at,
      };
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
