import { Store, type SessionData } from 'express-session';
import type { Redis } from '../redis/client.js';
import { expiryOf, indexOf, parseMeta, type StoredShape } from './stored-shape.js';
import type { Callback, SessionSummary, UserSessionStore } from './types.js';

export interface RedisSessionStoreOptions {
  defaultTtlMs: number;
  /** Key prefix, so several apps (or test runs) can share one Redis. */
  prefix?: string;
  now?: () => number;
}

/**
 * Server-side sessions in Redis, with the per-user index the app needs:
 * - `sess:<id>`: a hash (the session JSON, its user, provider session, meta and times), expiring with the session;
 * - `user:<sub>`: a sorted set of the user's session ids, scored by expiry (list and revoke a user's sessions);
 * - `sid:<provider sid>`: a set of the session ids started from one provider session (back-channel logout).
 * Every write changes the session and its index entries in one MULTI. Index entries of sessions that
 * expired are dropped when read and by `prune`.
 */
export class RedisSessionStore extends Store implements UserSessionStore {
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisSessionStoreOptions,
  ) {
    super();
    this.prefix = options.prefix ?? 'pfc:';
    this.now = options.now ?? (() => Date.now());
  }

  private key = (id: string) => `${this.prefix}sess:${id}`;
  private userKey = (sub: string) => `${this.prefix}user:${sub}`;
  private providerSidKey = (providerSid: string) => `${this.prefix}sid:${providerSid}`;

  override get(storeKey: string, callback: Callback<SessionData | null>): void {
    this.redis.hmGet(this.key(storeKey), ['data', 'expires_at']).then(([data, expiresAt]) => {
      if (!data) return callback(null, null);
      if (Number(expiresAt) <= this.now()) return this.destroy(storeKey, (err) => callback(err, null));
      let value: SessionData;
      try {
        value = JSON.parse(data) as SessionData;
      } catch (err) {
        return callback(err);
      }
      callback(null, value);
    }, callback);
  }

  override set(storeKey: string, session: SessionData, callback?: Callback): void {
    this.write(storeKey, session).then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  private async write(storeKey: string, session: SessionData): Promise<void> {
    const now = this.now();
    const shape = session as unknown as StoredShape;
    const index = indexOf(shape);
    const expiresAt = expiryOf(shape, now, this.options.defaultTtlMs);
    const key = this.key(storeKey);
    const [previousUser, previousProviderSid] = await this.redis.hmGet(key, ['user_sub', 'oidc_sid']);
    const m = this.redis.multi();
    m.hSet(key, { data: JSON.stringify(session), user_sub: index.user_sub ?? '', oidc_sid: index.oidc_sid ?? '', meta: index.meta ?? '', updated_at: String(now), expires_at: String(expiresAt) });
    m.hSetNX(key, 'created_at', String(now));
    m.pExpireAt(key, expiresAt);
    if (previousUser && previousUser !== index.user_sub) m.zRem(this.userKey(previousUser), storeKey);
    if (previousProviderSid && previousProviderSid !== index.oidc_sid) m.sRem(this.providerSidKey(previousProviderSid), storeKey);
    if (index.user_sub) {
      m.zAdd(this.userKey(index.user_sub), { score: expiresAt, value: storeKey });
      m.zRemRangeByScore(this.userKey(index.user_sub), '-inf', now);
    }
    if (index.oidc_sid) {
      m.sAdd(this.providerSidKey(index.oidc_sid), storeKey);
      // Kept as long as the longest session started from it.
      m.pExpireAt(this.providerSidKey(index.oidc_sid), expiresAt, 'GT');
      m.pExpireAt(this.providerSidKey(index.oidc_sid), expiresAt, 'NX');
    }
    await m.exec();
  }

  override destroy(storeKey: string, callback?: Callback): void {
    this.removeSessions([storeKey]).then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override touch(storeKey: string, session: SessionData, callback?: Callback): void {
    this.set(storeKey, session, callback);
  }

  /** Always a full write here: one round trip either way. */
  touchUnlessRecent(storeKey: string, session: SessionData, _withinMs: number, callback?: Callback): void {
    this.set(storeKey, session, callback);
  }

  override length(callback: Callback<number>): void {
    this.countKeys(`${this.prefix}sess:*`).then((n) => callback(null, n), callback);
  }

  override clear(callback?: Callback): void {
    this.deleteKeys(`${this.prefix}*`).then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  /** Deletes sessions and their index entries; resolves to how many sessions existed. */
  private async removeSessions(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const owners = await Promise.all(ids.map((id) => this.redis.hmGet(this.key(id), ['user_sub', 'oidc_sid'])));
    const m = this.redis.multi();
    m.del(ids.map(this.key));
    ids.forEach((id, i) => {
      const [user, providerSid] = owners[i]!;
      if (user) m.zRem(this.userKey(user), id);
      if (providerSid) m.sRem(this.providerSidKey(providerSid), id);
    });
    const [deleted] = await m.exec();
    return Number(deleted);
  }

  async destroyAllForUser(userSub: string): Promise<number> {
    return this.removeSessions(await this.redis.zRange(this.userKey(userSub), 0, -1));
  }

  async destroyByProviderSession(providerSid: string): Promise<number> {
    return this.removeSessions(await this.redis.sMembers(this.providerSidKey(providerSid)));
  }

  async countActiveByUser(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const from = `${this.prefix}user:`;
    for await (const keys of this.redis.scanIterator({ MATCH: `${from}*`, COUNT: 500 })) {
      for (const key of keys) {
        const n = await this.redis.zCount(key, `(${this.now()}`, '+inf');
        if (n > 0) counts.set(key.slice(from.length), n);
      }
    }
    return counts;
  }

  async listForUser(userSub: string): Promise<SessionSummary[]> {
    const ids = await this.redis.zRangeByScore(this.userKey(userSub), `(${this.now()}`, '+inf');
    const rows = await Promise.all(ids.map((id) => this.redis.hmGet(this.key(id), ['created_at', 'updated_at', 'expires_at', 'meta'])));
    return ids
      .map((id, i) => ({ id, row: rows[i]! }))
      .filter(({ row }) => row[2] !== null)
      .map(({ id, row: [created, updated, expires, meta] }) => ({
        id,
        userSub,
        createdAt: new Date(Number(created)),
        updatedAt: new Date(Number(updated)),
        expiresAt: new Date(Number(expires)),
        meta: parseMeta(meta),
      }))
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  }

  /** Redis expires the sessions itself; this drops index entries of expired sessions. */
  async prune(): Promise<number> {
    let removed = 0;
    for await (const keys of this.redis.scanIterator({ MATCH: `${this.prefix}user:*`, COUNT: 500 })) {
      for (const key of keys) removed += await this.redis.zRemRangeByScore(key, '-inf', this.now());
    }
    return removed;
  }

  private async countKeys(pattern: string): Promise<number> {
    let n = 0;
    for await (const keys of this.redis.scanIterator({ MATCH: pattern, COUNT: 500 })) n += keys.length;
    return n;
  }

  private async deleteKeys(pattern: string): Promise<void> {
    for await (const keys of this.redis.scanIterator({ MATCH: pattern, COUNT: 500 })) if (keys.length > 0) await this.redis.del(keys);
  }
}
