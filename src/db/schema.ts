/** Table shapes as Kysely sees them. Timestamps are ISO-8601 UTC strings so SQLite and PostgreSQL agree. */
export interface UsersTable {
  sub: string;
  email: string | null;
  name: string | null;
  picture: string | null;
  email_verified: number;
  /** JSON array of role names, copied from the verified ID token's roles claim at each login. */
  roles: string;
  first_seen_at: string;
  last_login_at: string;
}

export interface Database {
  users: UsersTable;
}
