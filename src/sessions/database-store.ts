import { Store, type SessionData } from 'express-session';
import { sql, type Kysely } from 'kysely';
import { compiledQuery } from '../db/compiled-query.js';
import type { Database } from '../db/schema.js';
import { expiryOf, indexOf, parseMeta, type StoredShape } from './stored-shape.js';
import type { Callback, SessionSummary, UserSessionStore } from './types.js';

export interface DatabaseSessionStoreOptions {
  /** Used when a session carries no expiry of its own. */
  defaultTtlMs: number;
  now?: () => number;
}

/** Every signed-in request reads its session: compiled once. */
const readSession = compiledQuery((db, storeKey: string) => db.selectFrom('sessions').select(['data', 'expires_at']).where('id', '=', storeKey));
/**
 * Writes a session, keeping its first `created_at`: every state-changing request writes one, so it
 * is compiled once too. The update takes the inserted row's values (`excluded`), binding each once.
 */
const writeSession = compiledQuery(
  (db, id: string, userSub: string | null, oidcSid: string | null, meta: string | null, data: string, createdAt: number, updatedAt: number, expiresAt: number) =>
    db
      .insertInto('sessions')
      .values({ id, user_sub: userSub, oidc_sid: oidcSid, meta, data, created_at: createdAt, updated_at: updatedAt, expires_at: expiresAt })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          user_sub: eb.ref('excluded.user_sub'),
          oidc_sid: eb.ref('excluded.oidc_sid'),
          meta: eb.ref('excluded.meta'),
          data: eb.ref('excluded.data'),
          updated_at: eb.ref('excluded.updated_at'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      ),
);
/**
 * Marks a session active: the two timestamps only, so neither the data nor the user and provider
 * session indexes are written again (every state-changing request does this first).
 */
const touchSession = compiledQuery((db, updatedAt: number, expiresAt: number, id: string) =>
  db.updateTable('sessions').set({ updated_at: updatedAt, expires_at: expiresAt }).where('id', '=', id),
);
/**
 * The same, only for a session last written before `writtenBefore`. For a session written since,
 * it changes no row, yet it is still a write: it takes the write lock (SQLite) or is refused in a
 * read-only transaction (PostgreSQL), and writes no page.
 */
const touchStaleSession = compiledQuery((db, updatedAt: number, expiresAt: number, id: string, writtenBefore: number) =>
  db.updateTable('sessions').set({ updated_at: updatedAt, expires_at: expiresAt }).where('id', '=', id).where('updated_at', '<=', writtenBefore),
);
/** The profile page lists a person's sessions on every view: compiled once too. */
const listSessions = compiledQuery((db, userSub: string, now: number) =>
  db.selectFrom('sessions').select(['id', 'user_sub', 'meta', 'created_at', 'updated_at', 'expires_at']).where('user_sub', '=', userSub).where('expires_at', '>', now).orderBy('updated_at', 'desc'),
);

/**
 * Server-side sessions in the app's database (SQLite or PostgreSQL), in the `sessions` table the
 * migrations create. Methods are callback-style on purpose: that is the express-session Store
 * contract the session layer (session-layer.ts) calls, with no promise made per call.
 */
export class DatabaseSessionStore extends Store implements UserSessionStore {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: DatabaseSessionStoreOptions,
  ) {
    super();
    this.now = options.now ?? (() => Date.now());
  }

  override get(storeKey: string, callback: Callback<SessionData | null>): void {
    readSession(this.db, storeKey)
      .then(([row]) => {
        if (!row) return callback(null, null);
        // An expired row is as good as absent; remove it now rather than waiting for the pruner.
        if (row.expires_at <= this.now()) return this.destroy(storeKey, (err) => callback(err, null));
        let value: SessionData;
        try {
          value = JSON.parse(row.data) as SessionData;
        } catch (err) {
          return callback(err);
        }
        callback(null, value);
      }, callback);
  }

  override set(storeKey: string, session: SessionData, callback?: Callback): void {
    let row;
    try {
      const now = this.now();
      const shape = session as unknown as StoredShape;
      const index = indexOf(shape);
      row = [storeKey, index.user_sub, index.oidc_sid, index.meta, JSON.stringify(session), now, now, expiryOf(shape, now, this.options.defaultTtlMs)] as const;
    } catch (err) {
      callback?.(err);
      return;
    }
    writeSession(this.db, ...row).then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override destroy(storeKey: string, callback?: Callback): void {
    this.db
      .deleteFrom('sessions')
      .where('id', '=', storeKey)
      .execute()
      .then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override touch(storeKey: string, session: SessionData, callback?: Callback): void {
    this.touchWrittenBefore(storeKey, session, undefined, callback);
  }

  touchUnlessRecent(storeKey: string, session: SessionData, withinMs: number, callback?: Callback): void {
    this.touchWrittenBefore(storeKey, session, withinMs, callback);
  }

  private touchWrittenBefore(storeKey: string, session: SessionData, withinMs: number | undefined, callback?: Callback): void {
    let expiresAt: number;
    const now = this.now();
    try {
      expiresAt = expiryOf(session as unknown as StoredShape, now, this.options.defaultTtlMs);
    } catch (err) {
      callback?.(err);
      return;
    }
    const written = withinMs === undefined ? touchSession(this.db, now, expiresAt, storeKey) : touchStaleSession(this.db, now, expiresAt, storeKey, now - withinMs);
    written.then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override length(callback: Callback<number>): void {
    this.db
      .selectFrom('sessions')
      .select(sql<number>`count(*)`.as('n'))
      .where('expires_at', '>', this.now())
      .executeTakeFirstOrThrow()
      .then((r) => callback(null, Number(r.n)), callback);
  }

  override clear(callback?: Callback): void {
    this.db
      .deleteFrom('sessions')
      .execute()
      .then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  async destroyAllForUser(userSub: string): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('user_sub', '=', userSub).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async destroyByProviderSession(providerSid: string): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('oidc_sid', '=', providerSid).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async countActiveByUser(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['user_sub', sql<number>`count(*)`.as('n')])
      .where('user_sub', 'is not', null)
      .where('expires_at', '>', this.now())
      .groupBy('user_sub')
      .execute();
    return new Map(rows.map((r) => [r.user_sub!, Number(r.n)]));
  }

  async listForUser(userSub: string): Promise<SessionSummary[]> {
    const rows = await listSessions(this.db, userSub, this.now());
    return rows.map((r) => ({
      id: r.id,
      userSub,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      expiresAt: new Date(r.expires_at),
      meta: parseMeta(r.meta),
    }));
  }

  async prune(): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<=', this.now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
