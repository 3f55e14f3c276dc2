import crypto from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

export interface OutboxMessage {
  id: number;
  to: string;
  subject: string;
  /** Plain text, for messages that only tell (an email address changed). */
  text: string | null;
  link: string | null;
  linkText: string | null;
  createdAt: string;
}

/** What a single-use link is for; a token of one purpose never redeems as another. */
export type TokenPurpose = 'verify-email' | 'reset-password';

const VERIFY_TTL_MS = 24 * 3600_000;
/** A password-reset link is valid for an hour (Auth0 lets a tenant choose; shorter is safer). */
export const RESET_TTL_MS = 3600_000;

/**
 * The development provider sends no real email: messages land in an outbox shown at /outbox.
 * Links carry single-use tokens, stored only as hashes, each with a purpose and an expiry.
 */
export class DevMail {
  private readonly stmts;

  constructor(
    sqlite: BetterSqlite3.Database,
    private readonly issuer: () => string,
    private readonly now: () => number = () => Date.now(),
  ) {
    sqlite.exec(`
      CREATE TABLE IF NOT EXISTS outbox_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        to_email TEXT NOT NULL, subject TEXT NOT NULL, text TEXT, link TEXT, link_text TEXT, created_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS link_tokens (
        token_hash TEXT PRIMARY KEY, purpose TEXT NOT NULL, sub TEXT NOT NULL, expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS link_tokens_sub ON link_tokens (sub);
    `);
    this.stmts = {
      add: sqlite.prepare('INSERT INTO outbox_messages (to_email, subject, text, link, link_text, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      list: sqlite.prepare(
        'SELECT id, to_email AS "to", subject, text, link, link_text AS linkText, created_at AS createdAt FROM outbox_messages ORDER BY id DESC LIMIT 50',
      ),
      addToken: sqlite.prepare('INSERT INTO link_tokens (token_hash, purpose, sub, expires_at) VALUES (?, ?, ?, ?)'),
      peekToken: sqlite.prepare('SELECT sub, expires_at FROM link_tokens WHERE token_hash = ? AND purpose = ?'),
      takeToken: sqlite.prepare('DELETE FROM link_tokens WHERE token_hash = ? AND purpose = ? RETURNING sub, expires_at'),
      dropTokens: sqlite.prepare('DELETE FROM link_tokens WHERE sub = ? AND purpose = ?'),
      dropAll: sqlite.prepare('DELETE FROM link_tokens WHERE sub = ?'),
      hasToken: sqlite.prepare('SELECT 1 FROM link_tokens WHERE sub = ? AND purpose = ? AND expires_at > ?'),
    };
  }

  /** Puts a verification email in the outbox; its link is valid for a day and only once, and replaces earlier ones. */
  sendVerification(sub: string, email: string): void {
    this.stmts.dropTokens.run(sub, 'verify-email');
    const token = this.issue('verify-email', sub, VERIFY_TTL_MS);
    this.add(email, 'Verify your email address', null, `${this.issuer()}/verify-email?token=${token}`, `Verify ${email}`);
  }

  /** Puts a password-reset email in the outbox; earlier reset links of the account stop working. */
  sendPasswordReset(sub: string, email: string): void {
    this.stmts.dropTokens.run(sub, 'reset-password');
    const token = this.issue('reset-password', sub, RESET_TTL_MS);
    this.add(email, 'Reset your password', null, `${this.issuer()}/u/reset-password?ticket=${token}`, `Reset the password of ${email}`);
  }

  /** A message with no link (the app's notices, such as "your email address was changed"). */
  deliver(message: { to: string; subject: string; text: string }): void {
    this.add(message.to, message.subject, message.text, null, null);
  }

  hasPendingVerification(sub: string): boolean {
    return this.stmts.hasToken.get(sub, 'verify-email', this.now()) !== undefined;
  }

  /** The account a valid token belongs to, without using it up (a form shown before the change). */
  peek(purpose: TokenPurpose, token: string): string | undefined {
    const row = this.stmts.peekToken.get(hash(token), purpose) as { sub: string; expires_at: number } | undefined;
    return row && row.expires_at > this.now() ? row.sub : undefined;
  }

  /** The account a token belongs to, once; undefined when unknown, used, expired or of another purpose. */
  redeem(purpose: TokenPurpose, token: string): string | undefined {
    const row = this.stmts.takeToken.get(hash(token), purpose) as { sub: string; expires_at: number } | undefined;
    return row && row.expires_at > this.now() ? row.sub : undefined;
  }

  /** Every pending link of an account stops working (the account is deleted). */
  forget(sub: string): void {
    this.stmts.dropAll.run(sub);
  }

  list(): OutboxMessage[] {
    return this.stmts.list.all() as OutboxMessage[];
  }

  private issue(purpose: TokenPurpose, sub: string, ttlMs: number): string {
    const token = crypto.randomBytes(24).toString('base64url');
    this.stmts.addToken.run(hash(token), purpose, sub, this.now() + ttlMs);
    return token;
  }

  private add(to: string, subject: string, text: string | null, link: string | null, linkText: string | null): void {
    this.stmts.add.run(to, subject, text, link, linkText, new Date(this.now()).toISOString());
  }
}

function hash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
