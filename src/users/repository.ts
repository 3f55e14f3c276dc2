import type { Kysely, Selectable } from 'kysely';
import { compiledQuery } from '../db/compiled-query.js';
import type { Database, UsersTable } from '../db/schema.js';
import type { DecimalStyle } from '../money/money.js';

export interface UserRecord {
  sub: string;
  email: string | null;
  name: string | null;
  picture: string | null;
  emailVerified: boolean;
  roles: string[];
  firstSeenAt: string;
  lastLoginAt: string;
  lastMfaAt: string | null;
  displayName: string | null;
  currency: string;
  numberStyle: DecimalStyle;
}

export type UserLogin = Pick<UserRecord, 'sub' | 'email' | 'name' | 'picture' | 'emailVerified' | 'roles'>;

function toRecord(r: Selectable<UsersTable>): UserRecord {
  return {
    sub: r.sub,
    email: r.email,
    name: r.name,
    picture: r.picture,
    emailVerified: r.email_verified === 1,
    roles: JSON.parse(r.roles) as string[],
    firstSeenAt: r.first_seen_at,
    lastLoginAt: r.last_login_at,
    lastMfaAt: r.last_mfa_at,
    displayName: r.display_name,
    currency: r.currency,
    numberStyle: r.number_style === 'comma' ? 'comma' : 'dot',
  };
}

/** The profile page reads its user on every view: compiled once. */
const userBySub = compiledQuery((db, sub: string) => db.selectFrom('users').selectAll().where('sub', '=', sub));

/**
 * A finance page's member: the user's row and whether their starting categories exist, in one
 * statement (two separate ones were two of an add's fifteen).
 */
const memberBySub = compiledQuery((db, sub: string) =>
  db
    .selectFrom('users')
    .selectAll('users')
    .select((eb) => eb.exists(eb.selectFrom('categories').select('categories.id').whereRef('categories.user_sub', '=', 'users.sub')).as('has_categories'))
    .where('users.sub', '=', sub),
);

/** SQL for users. Keyed on the identity provider's `sub`, never on email. */
export function createUsersRepository(db: Kysely<Database>) {
  return {
    async upsertOnLogin(u: UserLogin, at: Date, mfa: boolean): Promise<void> {
      const now = at.toISOString();
      const row = {
        email: u.email,
        name: u.name,
        picture: u.picture,
        email_verified: u.emailVerified ? 1 : 0,
        roles: JSON.stringify(u.roles),
        last_login_at: now,
        ...(mfa ? { last_mfa_at: now } : {}),
      };
      await db
        .insertInto('users')
        .values({ sub: u.sub, ...row, first_seen_at: now })
        .onConflict((oc) => oc.column('sub').doUpdateSet(row))
        .execute();
    },

    async findBySub(sub: string): Promise<UserRecord | undefined> {
      const [r] = await userBySub(db, sub);
      return r ? toRecord(r) : undefined;
    },

    /** The user and whether they have any category yet (SQLite answers 0/1, PostgreSQL a boolean). */
    async findMember(sub: string): Promise<{ record: UserRecord; hasCategories: boolean } | undefined> {
      const [r] = await memberBySub(db, sub);
      return r ? { record: toRecord(r), hasCategories: Number(r.has_categories) === 1 } : undefined;
    },

    async list(limit: number): Promise<UserRecord[]> {
      const rows = await db.selectFrom('users').selectAll().orderBy('last_login_at', 'desc').limit(limit).execute();
      return rows.map(toRecord);
    },

    /** The address the provider now holds, unverified until its link is followed. */
    async setUnverifiedEmail(sub: string, email: string): Promise<void> {
      await db.updateTable('users').set({ email, email_verified: 0 }).where('sub', '=', sub).execute();
    },

    async updatePreferences(sub: string, prefs: { displayName: string | null; currency: string; numberStyle: DecimalStyle }): Promise<boolean> {
      const r = await db
        .updateTable('users')
        .set({ display_name: prefs.displayName, currency: prefs.currency, number_style: prefs.numberStyle })
        .where('sub', '=', sub)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
