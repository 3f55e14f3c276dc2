import { Store, type SessionData } from 'express-session';
import type BetterSqlite3 from 'better-sqlite3';
import type { Callback, SessionSummary, UserSessionStore } from './types.js';

/** What the stored session object looks like to this store: only these fields are read. */
interface StoredShape {
  cookie?: { expires?: number | string | Date | null; maxAge?: number | null };
  data?: { userSub?: unknown; sid?: unknown; meta?: unknown };
}

export interface SqliteSessionStoreOptions {
  /** Used when a session carries no expiry of its own. */
  defaultTtlMs: number;
  now?: () => number;
}

/**
 * Server-side sessions in SQLite. Methods are callback-style on purpose: that is the
 * express-session Store contract, and express-openid-connect promisifies callback methods
 * reliably (a plain method returning a promise would hang it).
 */
export class SqliteSessionStore extends Store implements UserSessionStore {
  private readonly now: () => number;
  private readonly stmts: ReturnType<typeof prepare>;

  constructor(
    sqlite: BetterSqlite3.Database,
    private readonly options: SqliteSessionStoreOptions,
  ) {
    super();
    this.now = options.now ?? (() => Date.now());
    createTable(sqlite);
    this.stmts = prepare(sqlite);
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    let row: { data: string; expires_at: number } | undefined;
    try {
      row = this.stmts.get.get(sid) as typeof row;
    } catch (err) {
      callback(err);
      return;
    }
    if (!row) {
      callback(null, null);
      return;
    }
    if (row.expires_at <= this.now()) {
      // An expired row is as good as absent; remove it now rather than waiting for the pruner.
      this.destroy(sid, (err) => callback(err, null));
      return;
    }
    let value: SessionData;
    try {
      value = JSON.parse(row.data) as SessionData;
    } catch (err) {
      callback(err);
      return;
    }
    callback(null, value);
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    try {
      const shape = session as unknown as StoredShape;
      const now = this.now();
      const userSub = typeof shape.data?.userSub === 'string' ? shape.data.userSub : null;
      const oidcSid = typeof shape.data?.sid === 'string' ? shape.data.sid : null;
      this.stmts.upsert.run({
        id: sid,
        user_sub: userSub,
        oidc_sid: oidcSid,
        data: JSON.stringify(session),
        expires_at: this.expiryOf(shape, now),
        now,
      });
    } catch (err) {
      callback?.(err);
      return;
    }
    callback?.();
  }

  override destroy(sid: string, callback?: Callback): void {
    try {
      this.stmts.destroy.run(sid);
    } catch (err) {
      callback?.(err);
      return;
    }
    callback?.();
  }

  override touch(sid: string, session: SessionData, callback?: Callback): void {
    this.set(sid, session, callback);
  }

  override length(callback: Callback<number>): void {
    try {
      const row = this.stmts.count.get(this.now()) as { n: number };
      callback(null, row.n);
    } catch (err) {
      callback(err);
    }
  }

  override clear(callback?: Callback): void {
    try {
      this.stmts.clear.run();
    } catch (err) {
      callback?.(err);
      return;
    }
    callback?.();
  }

  async destroyAllForUser(userSub: string): Promise<number> {
    return this.stmts.destroyForUser.run(userSub).changes;
  }

  async destroyByProviderSession(providerSid: string): Promise<number> {
    return this.stmts.destroyByOidcSid.run(providerSid).changes;
  }

  async countActiveByUser(): Promise<Map<string, number>> {
    const rows = this.stmts.countByUser.all(this.now()) as Array<{ user_sub: string; n: number }>;
    return new Map(rows.map((r) => [r.user_sub, r.n]));
  }

  async listForUser(userSub: string): Promise<SessionSummary[]> {
    const rows = this.stmts.listForUser.all(userSub, this.now()) as Array<{
      id: string;
      user_sub: string;
      meta: string | null;
      created_at: number;
      updated_at: number;
      expires_at: number;
    }>;
    return rows.map((r) => {
      let meta: unknown = null;
      try {
        meta = r.meta === null ? null : JSON.parse(r.meta);
      } catch {
        // not JSON (json_extract gives a plain string for a string value): no meta
      }
      return {
        id: r.id,
        userSub: r.user_sub,
        createdAt: new Date(r.created_at),
        updatedAt: new Date(r.updated_at),
        expiresAt: new Date(r.expires_at),
        meta: meta && typeof meta === 'object' ? (meta as Record<string, unknown>) : {},
      };
    });
  }

  async prune(): Promise<number> {
    return this.stmts.prune.run(this.now()).changes;
  }

  private expiryOf(shape: StoredShape, now: number): number {
    const expires = shape.cookie?.expires;
    if (typeof expires === 'number' && Number.isFinite(expires)) return expires;
    if (expires instanceof Date || typeof expires === 'string') {
      const t = new Date(expires).getTime();
      if (Number.isFinite(t)) return t;
    }
    const maxAge = shape.cookie?.maxAge;
    if (typeof maxAge === 'number' && Number.isFinite(maxAge)) return now + maxAge;
    return now + this.options.defaultTtlMs;
  }
}

function createTable(sqlite: BetterSqlite3.Database): void {
  sqlite.exec(`
    CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY,
      user_sub TEXT,
      data TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sessions_user_sub ON sessions (user_sub);
    CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);
  `);
  // The provider's session id (`sid` claim), for back-channel logout of exactly that session.
  const columns = sqlite.prepare('PRAGMA table_info(sessions)').all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'oidc_sid')) sqlite.exec('ALTER TABLE sessions ADD COLUMN oidc_sid TEXT');
  sqlite.exec('CREATE INDEX IF NOT EXISTS sessions_oidc_sid ON sessions (oidc_sid)');
}

function prepare(sqlite: BetterSqlite3.Database) {
  return {
    get: sqlite.prepare('SELECT data, expires_at FROM sessions WHERE id = ?'),
    upsert: sqlite.prepare(`
      INSERT INTO sessions (id, user_sub, oidc_sid, data, created_at, updated_at, expires_at)
      VALUES (@id, @user_sub, @oidc_sid, @data, @now, @now, @expires_at)
      ON CONFLICT (id) DO UPDATE SET
        user_sub = excluded.user_sub, oidc_sid = excluded.oidc_sid, data = excluded.data,
        updated_at = excluded.updated_at, expires_at = excluded.expires_at`),
    destroy: sqlite.prepare('DELETE FROM sessions WHERE id = ?'),
    destroyForUser: sqlite.prepare('DELETE FROM sessions WHERE user_sub = ?'),
    destroyByOidcSid: sqlite.prepare('DELETE FROM sessions WHERE oidc_sid = ?'),
    countByUser: sqlite.prepare('SELECT user_sub, COUNT(*) AS n FROM sessions WHERE user_sub IS NOT NULL AND expires_at > ? GROUP BY user_sub'),
    listForUser: sqlite.prepare(
      // Only the app's meta is needed: SQLite extracts it, rather than every token being parsed here.
      "SELECT id, user_sub, CASE WHEN json_valid(data) THEN json_extract(data, '$.data.meta') END AS meta, created_at, updated_at, expires_at FROM sessions WHERE user_sub = ? AND expires_at > ? ORDER BY updated_at DESC",
    ),
    count: sqlite.prepare('SELECT COUNT(*) AS n FROM sessions WHERE expires_at > ?'),
    clear: sqlite.prepare('DELETE FROM sessions'),
    prune: sqlite.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
  };
}
