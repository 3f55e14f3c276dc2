import crypto from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { hashPasswordOffLoop, verifyPassword } from './passwords.js';

export const DATABASE_CONNECTION = 'Username-Password-Authentication';

export interface DevAccount {
  sub: string;
  email: string;
  name: string;
  emailVerified: boolean;
  roles: string[];
  connection: string;
}

/** The demo admin's authenticator secret (base32). Public on purpose, like the demo passwords. */
export const DEMO_ADMIN_TOTP_SECRET = 'KVKFKRCPNZQUYMLXOVYDSQKJKZDTSRLD';

/** The demo member, whose app data the development server seeds with a year of transactions. */
export const DEMO_MEMBER_SUB = 'auth0|demo-member';

/** The seeded demo accounts. Their passwords are public on purpose: this provider is for development only. */
export const DEMO_USERS: Array<DevAccount & { password: string; description: string; totpSecret?: string }> = [
  {
    sub: DEMO_MEMBER_SUB,
    email: 'member@example.com',
    name: 'Alex Morgan',
    emailVerified: true,
    roles: [],
    connection: DATABASE_CONNECTION,
    password: 'Member-demo-2026',
    description: 'member',
  },
  {
    sub: 'auth0|demo-admin',
    email: 'admin@example.com',
    name: 'Riley Chen',
    emailVerified: true,
    roles: ['admin'],
    connection: DATABASE_CONNECTION,
    password: 'Admin-demo-2026',
    description: 'admin, MFA enrolled',
    totpSecret: DEMO_ADMIN_TOTP_SECRET,
  },
  {
    sub: 'auth0|demo-unverified',
    email: 'unverified@example.com',
    name: 'Sam Pending',
    emailVerified: false,
    roles: [],
    connection: DATABASE_CONNECTION,
    password: 'Unverified-demo-2026',
    description: 'email not verified yet',
  },
];

/** Readable names for simulated social connections; unknown ones get a generic label. */
export const SOCIAL_PERSONAS: Record<string, { name: string; provider: string }> = {
  'google-oauth2': { name: 'Sam Rivera', provider: 'Google' },
  github: { name: 'Kai Octo', provider: 'GitHub' },
  facebook: { name: 'Jamie Fields', provider: 'Facebook' },
  apple: { name: 'Robin Appleseed', provider: 'Apple' },
  windowslive: { name: 'Taylor Gates', provider: 'Microsoft' },
};

interface Row {
  sub: string;
  email: string;
  name: string;
  password_hash: string | null;
  email_verified: number;
  roles: string;
  connection: string;
  totp_secret: string | null;
  totp_pending: string | null;
  totp_last_step: number | null;
}

/** The development provider's user directory. */
export class DevAccounts {
  private readonly stmts;

  constructor(sqlite: BetterSqlite3.Database) {
    sqlite.exec(`
      CREATE TABLE IF NOT EXISTS accounts (
        sub TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        password_hash TEXT,
        email_verified INTEGER NOT NULL,
        roles TEXT NOT NULL,
        connection TEXT NOT NULL,
        totp_secret TEXT,
        totp_pending TEXT,
        totp_last_step INTEGER
      );
      CREATE UNIQUE INDEX IF NOT EXISTS accounts_connection_email ON accounts (connection, email);
    `);
    this.stmts = {
      insert: sqlite.prepare(`INSERT INTO accounts (sub, email, name, password_hash, email_verified, roles, connection, totp_secret)
        VALUES (@sub, @email, @name, @password_hash, @email_verified, @roles, @connection, @totp_secret) ON CONFLICT DO NOTHING`),
      bySub: sqlite.prepare('SELECT * FROM accounts WHERE sub = ?'),
      byEmail: sqlite.prepare('SELECT * FROM accounts WHERE connection = ? AND email = ?'),
      setPending: sqlite.prepare('UPDATE accounts SET totp_pending = ? WHERE sub = ?'),
      confirmPending: sqlite.prepare('UPDATE accounts SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ? WHERE sub = ? AND totp_pending IS NOT NULL'),
      setLastStep: sqlite.prepare('UPDATE accounts SET totp_last_step = ? WHERE sub = ?'),
      verifyEmail: sqlite.prepare('UPDATE accounts SET email_verified = 1 WHERE sub = ?'),
      setEmail: sqlite.prepare('UPDATE accounts SET email = ?, email_verified = ? WHERE sub = ?'),
      setPassword: sqlite.prepare('UPDATE accounts SET password_hash = ? WHERE sub = ? AND password_hash IS NOT NULL'),
      clearTotp: sqlite.prepare('UPDATE accounts SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE sub = ?'),
      remove: sqlite.prepare('DELETE FROM accounts WHERE sub = ?'),
    };
  }

  /** Adds the demo users unless they exist (a restart keeps any changes made to them). */
  /** Adds the demo accounts that are missing; their passwords are hashed together on the thread pool, so start-up does other work meanwhile. */
  async seed(): Promise<void> {
    const missing = DEMO_USERS.filter((u) => !this.findBySub(u.sub));
    const hashes = await Promise.all(missing.map((u) => hashPasswordOffLoop(u.password)));
    missing.forEach((u, i) => {
      if (!this.findBySub(u.sub)) this.insert(u, hashes[i]!, u.totpSecret ?? null);
    });
  }

  findBySub(sub: string): DevAccount | undefined {
    return toAccount(this.stmts.bySub.get(sub) as Row | undefined);
  }

  /** Email + password against the database connection; undefined on any mismatch. */
  async authenticate(email: string, password: string): Promise<DevAccount | undefined> {
    const row = this.stmts.byEmail.get(DATABASE_CONNECTION, email.trim().toLowerCase()) as Row | undefined;
    return (await verifyPassword(password, row?.password_hash ?? null)) ? toAccount(row) : undefined;
  }

  /** The simulated user behind a social connection: one stable identity per connection, `sub` prefixed like Auth0's. */
  socialAccount(connection: string): DevAccount {
    const persona = SOCIAL_PERSONAS[connection] ?? { name: `Demo ${connection} user`, provider: connection };
    const id = BigInt(`0x${crypto.createHash('sha256').update(connection).digest('hex').slice(0, 15)}`).toString();
    const sub = `${connection}|${id}`;
    const existing = this.findBySub(sub);
    if (existing) return existing;
    const account: DevAccount = {
      sub,
      email: `${persona.name.toLowerCase().replace(/\s+/g, '.')}@${connection.replace(/[^a-z0-9]/gi, '')}.example`,
      name: persona.name,
      emailVerified: true,
      roles: [],
      connection,
    };
    this.insert(account, null);
    return account;
  }

  /** A new email + password user, unverified, as a sign-up creates it. Undefined when the email is taken. */
  async signUp(input: { email: string; name: string; password: string }): Promise<DevAccount | undefined> {
    const email = input.email.trim().toLowerCase();
    if (this.stmts.byEmail.get(DATABASE_CONNECTION, email)) return undefined;
    // Hashed on the thread pool: the provider shares the app's event loop in development.
    const passwordHash = await hashPasswordOffLoop(input.password);
    // Checked again: another sign-up may have taken the address while this one was hashing.
    if (this.stmts.byEmail.get(DATABASE_CONNECTION, email)) return undefined;
    const account: DevAccount = {
      sub: `auth0|${crypto.randomBytes(12).toString('hex')}`,
      email,
      name: input.name,
      emailVerified: false,
      roles: [],
      connection: DATABASE_CONNECTION,
    };
    this.insert(account, passwordHash, null);
    return account;
  }

  /** A database-connection account by its email address (how Auth0's change_password finds it). */
  findByEmail(email: string): DevAccount | undefined {
    return toAccount(this.stmts.byEmail.get(DATABASE_CONNECTION, email.trim().toLowerCase()) as Row | undefined);
  }

  /** Sets a new address; 'taken' when another account of the same connection has it. */
  changeEmail(sub: string, email: string, verified: boolean): 'changed' | 'taken' | 'unknown' {
    const account = this.findBySub(sub);
    if (!account) return 'unknown';
    const normalized = email.trim().toLowerCase();
    const holder = this.stmts.byEmail.get(account.connection, normalized) as Row | undefined;
    if (holder && holder.sub !== sub) return 'taken';
    this.stmts.setEmail.run(normalized, verified ? 1 : 0, sub);
    return 'changed';
  }

  /** A new password for an email + password account (hashed off the event loop); false for others. */
  async setPassword(sub: string, password: string): Promise<boolean> {
    return this.stmts.setPassword.run(await hashPasswordOffLoop(password), sub).changes === 1;
  }

  /** Removes the authenticator (and any half-done enrolment): the next MFA step enrols a new one. */
  removeAuthenticators(sub: string): boolean {
    return this.stmts.clearTotp.run(sub).changes === 1;
  }

  remove(sub: string): boolean {
    return this.stmts.remove.run(sub).changes === 1;
  }

  markEmailVerified(sub: string): void {
    this.stmts.verifyEmail.run(sub);
  }

  /** The enrolled authenticator, or the one being enrolled. */
  totp(sub: string): { secret: string | null; pending: string | null; lastStep: number | null } {
    const row = this.stmts.bySub.get(sub) as Row | undefined;
    return { secret: row?.totp_secret ?? null, pending: row?.totp_pending ?? null, lastStep: row?.totp_last_step ?? null };
  }

  startTotpEnrolment(sub: string, secret: string): void {
    this.stmts.setPending.run(secret, sub);
  }

  confirmTotpEnrolment(sub: string, step: number): void {
    this.stmts.confirmPending.run(step, sub);
  }

  /** Remembers the last accepted time step, so a code cannot be used twice. */
  recordTotpStep(sub: string, step: number): void {
    this.stmts.setLastStep.run(step, sub);
  }

  /** `passwordHash` from hashPasswordOffLoop, or null for an account without a password (a social one). */
  private insert(a: DevAccount, passwordHash: string | null, totpSecret: string | null = null): void {
    this.stmts.insert.run({
      sub: a.sub,
      email: a.email.toLowerCase(),
      name: a.name,
      password_hash: passwordHash,
      email_verified: a.emailVerified ? 1 : 0,
      roles: JSON.stringify(a.roles),
      connection: a.connection,
      totp_secret: totpSecret,
    });
  }
}

function toAccount(row: Row | undefined): DevAccount | undefined {
  if (!row) return undefined;
  return {
    sub: row.sub,
    email: row.email,
    name: row.name,
    emailVerified: row.email_verified === 1,
    roles: JSON.parse(row.roles) as string[],
    connection: row.connection,
  };
}
