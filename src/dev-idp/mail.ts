import crypto from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

export interface OutboxMessage {
  id: number;
  to: string;
  subject: string;
  link: string;
  createdAt: string;
}

/**
 * The development provider sends no real email: messages land in an outbox shown at /outbox,
 * and verification links are single-use tokens stored as hashes.
 */
export class DevMail {
  private readonly stmts;

  constructor(sqlite: BetterSqlite3.Database, private readonly issuer: () => string) {
    sqlite.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        to_email TEXT NOT NULL, subject TEXT NOT NULL, link TEXT NOT NULL, created_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS verification_tokens (
        token_hash TEXT PRIMARY KEY, sub TEXT NOT NULL, expires_at INTEGER NOT NULL
      );
    `);
    this.stmts = {
      add: sqlite.prepare('INSERT INTO outbox (to_email, subject, link, created_at) VALUES (?, ?, ?, ?)'),
      list: sqlite.prepare('SELECT id, to_email AS "to", subject, link, created_at AS createdAt FROM outbox ORDER BY id DESC LIMIT 50'),
      addToken: sqlite.prepare('INSERT INTO verification_tokens (token_hash, sub, expires_at) VALUES (?, ?, ?)'),
      takeToken: sqlite.prepare('DELETE FROM verification_tokens WHERE token_hash = ? RETURNING sub, expires_at'),
      hasToken: sqlite.prepare('SELECT 1 FROM verification_tokens WHERE sub = ? AND expires_at > ?'),
    };
  }

  /** Puts a verification email in the outbox; its link is valid for a day and only once. */
  sendVerification(sub: string, email: string): void {
    const token = crypto.randomBytes(24).toString('base64url');
    this.stmts.addToken.run(hash(token), sub, Date.now() + 24 * 3600_000);
    this.stmts.add.run(email, 'Verify your email address', `${this.issuer()}/verify-email?token=${token}`, new Date().toISOString());
  }

  hasPendingVerification(sub: string): boolean {
    return this.stmts.hasToken.get(sub, Date.now()) !== undefined;
  }

  /** The account a verification token belongs to, once; undefined when unknown, used or expired. */
  redeem(token: string): string | undefined {
    const row = this.stmts.takeToken.get(hash(token)) as { sub: string; expires_at: number } | undefined;
    return row && row.expires_at > Date.now() ? row.sub : undefined;
  }

  list(): OutboxMessage[] {
    return this.stmts.list.all() as OutboxMessage[];
  }
}

function hash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
