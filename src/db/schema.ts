import type { Generated } from 'kysely';

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
  /** Last sign-in whose ID token showed MFA (amr contains "mfa"). */
  last_mfa_at: string | null;
  display_name: string | null;
  currency: Generated<string>;
}

export interface AuditEventsTable {
  id: string;
  at: string;
  type: string;
  actor_sub: string | null;
  target_sub: string | null;
  ip: string | null;
  request_id: string | null;
  /** JSON object with event-specific, non-secret details. */
  detail: string;
}

export interface Database {
  users: UsersTable;
  audit_events: AuditEventsTable;
}
