import crypto from 'node:crypto';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SessionData } from 'express-session';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GuardedSessionStore } from '../../src/sessions/guarded-store.js';
import { SignedIdSessionStore } from '../../src/sessions/signed-id-store.js';
import { createSessionIdSigner } from '../../src/sessions/signed-ids.js';
import { DatabaseSessionStore } from '../../src/sessions/database-store.js';
import { openTestDatabase, TEST_ENGINE } from '../helpers/engines.js';
import { one } from '../helpers/sql.js';
import { connectRedis } from '../../src/redis/client.js';
import { createLogger } from '../../src/logging/logger.js';
import { RedisSessionStore } from '../../src/sessions/redis-store.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import type { UserSessionStore } from '../../src/sessions/types.js';

const MINUTE = 60_000;

/** The shape express-openid-connect hands to set(). */
function eocSession(userSub: string | undefined, expires: number) {
  return {
    header: { iat: 1, uat: 1, exp: Math.floor(expires / 1000) },
    data: { id_token: 'header.payload.signature', ...(userSub ? { userSub, meta: { ip: '127.0.0.1', userAgent: 'Firefox' } } : {}) },
    cookie: { expires, maxAge: expires - Date.now() },
  } as unknown as SessionData;
}

function api(store: UserSessionStore) {
  return {
    get: promisify(store.get.bind(store)) as (sid: string) => Promise<SessionData | null | undefined>,
    set: promisify(store.set.bind(store)) as (sid: string, s: SessionData) => Promise<void>,
    destroy: promisify(store.destroy.bind(store)) as (sid: string) => Promise<void>,
    touch: promisify(store.touch.bind(store)) as (sid: string, s: SessionData) => Promise<void>,
    touchUnlessRecent: promisify(store.touchUnlessRecent.bind(store)) as (sid: string, s: SessionData, withinMs: number) => Promise<void>,
  };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-store-'));
const opened: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface OpenedStore {
  store: UserSessionStore;
  /** Session entries physically stored (expired ones included until removed). */
  storedCount(): Promise<number>;
  close(): Promise<void>;
}
type StoreOptions = { defaultTtlMs: number; now?: () => number };

/** A store over a fresh database of the suite's engine. */
async function databaseStore(options: StoreOptions): Promise<OpenedStore> {
  const database = await openTestDatabase(fs.mkdtempSync(path.join(dataDir, 'db-')));
  const opened = {
    store: new DatabaseSessionStore(database.handle.db, options),
    storedCount: async () => (await one<{ n: number }>(database.handle, 'SELECT COUNT(*) AS n FROM sessions'))!.n,
    close: () => database.drop(),
  };
  return opened;
}

/** A store over a real Redis, under a prefix of its own. */
async function redisStore(options: StoreOptions): Promise<OpenedStore> {
  const redis = await connectRedis(TEST_REDIS_URL!, createLogger('silent'));
  const prefix = `pfc-test:${crypto.randomBytes(6).toString('hex')}:`;
  const store = new RedisSessionStore(redis, { ...options, prefix });
  const keys = async () => {
    const found: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}sess:*` })) found.push(...batch);
    return found;
  };
  return {
    store,
    storedCount: async () => (await keys()).length,
    close: async () => {
      await promisify(store.clear.bind(store))();
      redis.destroy();
    },
  };
}

/** Every store the app can run on, with the engines this run has. */
const STORES: Array<[string, (options: StoreOptions) => Promise<OpenedStore>]> = [[`database (${TEST_ENGINE})`, databaseStore]];
if (TEST_REDIS_URL) STORES.push(['Redis', redisStore]);

async function freshStore(options: StoreOptions) {
  const o = await databaseStore(options);
  opened.push(o);
  return { store: o.store as DatabaseSessionStore };
}

describe.each(STORES)('session store: %s', (_name, open) => {
  let now: number;
  let store: UserSessionStore;
  let opened: OpenedStore;

  beforeEach(async () => {
    // The store's clock, moved by the tests; it starts now because Redis also expires keys by its own clock.
    now = Date.now();
    opened = await open({ defaultTtlMs: 30 * MINUTE, now: () => now });
    store = opened.store;
  });
  afterEach(() => opened.close());

  it('returns what was set, unchanged', async () => {
    const s = eocSession('auth0|a', now + 30 * MINUTE);
    await api(store).set('sid-1', s);
    expect(await api(store).get('sid-1')).toEqual(JSON.parse(JSON.stringify(s)));
  });

  it('returns null for an unknown id', async () => {
    expect(await api(store).get('nope')).toBeNull();
  });

  it('treats an expired entry as absent and deletes it on read', async () => {
    await api(store).set('sid-1', eocSession('auth0|a', now + MINUTE));
    now += MINUTE + 1;
    expect(await api(store).get('sid-1')).toBeNull();
    expect(await opened.storedCount()).toBe(0);
  });

  it('overwrites on set and extends the expiry (rolling sessions)', async () => {
    await api(store).set('sid-1', eocSession('auth0|a', now + MINUTE));
    await api(store).set('sid-1', eocSession('auth0|a', now + 10 * MINUTE));
    now += 5 * MINUTE;
    expect(await api(store).get('sid-1')).not.toBeNull();
  });

  it('touches a session: its last-active time and expiry move, its data and owner stay', async () => {
    const s = eocSession('auth0|a', now + MINUTE);
    await api(store).set('sid-1', s);
    const created = now;
    now += 30_000;
    await api(store).touch('sid-1', { ...s, cookie: { expires: now + 10 * MINUTE } } as unknown as SessionData);
    now += 5 * MINUTE;
    const after = (await api(store).get('sid-1')) as unknown as { header: unknown; data: unknown };
    expect([after.header, after.data]).toEqual(JSON.parse(JSON.stringify([(s as unknown as typeof after).header, (s as unknown as typeof after).data])));
    const [listed] = await store.listForUser('auth0|a');
    expect([listed?.id, listed?.createdAt.getTime(), listed?.updatedAt.getTime(), listed?.meta]).toEqual(['sid-1', created, created + 30_000, { ip: '127.0.0.1', userAgent: 'Firefox' }]);
  });

  it('touches a session unless it was written recently: within that time nothing moves, after it the last-active time and expiry do', async () => {
    const s = eocSession('auth0|a', now + MINUTE);
    await api(store).set('sid-1', s);
    const created = now;
    const updatedAt = async () => (await store.listForUser('auth0|a'))[0]?.updatedAt.getTime();
    now += 30_000;
    await api(store).touchUnlessRecent('sid-1', { ...s, cookie: { expires: now + 10 * MINUTE } } as unknown as SessionData, MINUTE);
    // Redis writes every time (the contract allows it); the database skips a session written within the minute.
    const skips = store instanceof DatabaseSessionStore;
    expect(await updatedAt()).toBe(skips ? created : now);
    now += 31_000;
    if (skips) {
      // Still its first expiry: a minute after it was written.
      expect(await api(store).get('sid-1')).toBeNull();
      return;
    }
    expect(await api(store).get('sid-1')).not.toBeNull();
  });

  it('moves the idle deadline of a session last written longer ago than asked', async () => {
    const s = eocSession('auth0|a', now + MINUTE);
    await api(store).set('sid-1', s);
    now += 50_000;
    await api(store).touchUnlessRecent('sid-1', { ...s, cookie: { expires: now + 10 * MINUTE } } as unknown as SessionData, 40_000);
    expect((await store.listForUser('auth0|a'))[0]?.updatedAt.getTime()).toBe(now);
    now += 5 * MINUTE;
    expect(await api(store).get('sid-1')).not.toBeNull();
  });

  it('deletes on destroy', async () => {
    await api(store).set('sid-1', eocSession('auth0|a', now + MINUTE));
    await api(store).destroy('sid-1');
    expect(await api(store).get('sid-1')).toBeNull();
  });

  it('prunes only expired rows', async () => {
    await api(store).set('old', eocSession('auth0|a', now + MINUTE));
    await api(store).set('new', eocSession('auth0|a', now + 60 * MINUTE));
    now += 2 * MINUTE;
    expect(await store.prune()).toBe(1);
    expect(await api(store).get('new')).not.toBeNull();
  });

  it('lists and ends the sessions of one user without touching another user', async () => {
    await api(store).set('a1', eocSession('auth0|a', now + MINUTE));
    await api(store).set('a2', eocSession('auth0|a', now + MINUTE));
    await api(store).set('b1', eocSession('auth0|b', now + MINUTE));
    const listed = await store.listForUser('auth0|a');
    expect(listed.map((s) => s.id).sort()).toEqual(['a1', 'a2']);
    expect(listed[0]?.meta).toEqual({ ip: '127.0.0.1', userAgent: 'Firefox' });
    expect(await store.destroyAllForUser('auth0|a')).toBe(2);
    expect(await api(store).get('a1')).toBeNull();
    expect(await api(store).get('b1')).not.toBeNull();
  });

  it('counts active sessions per user and ends exactly those of one provider session', async () => {
    const withSid = (sub: string, sid: string) => ({ ...eocSession(sub, now + MINUTE), data: { userSub: sub, sid } }) as unknown as SessionData;
    await api(store).set('a1', withSid('auth0|a', 'idp-1'));
    await api(store).set('a2', withSid('auth0|a', 'idp-2'));
    await api(store).set('b1', withSid('auth0|b', 'idp-3'));
    expect(await store.countActiveByUser()).toEqual(new Map([['auth0|a', 2], ['auth0|b', 1]]));
    expect(await store.destroyByProviderSession('idp-1')).toBe(1);
    expect(await api(store).get('a1')).toBeNull();
    expect(await api(store).get('a2')).not.toBeNull();
    expect((await store.listForUser('auth0|a')).map((s) => s.id)).toEqual(['a2']);
    expect(await store.destroyByProviderSession('idp-1')).toBe(0);
  });

  it('keeps the index right when a session is rewritten for another user', async () => {
    await api(store).set('s', eocSession('auth0|a', now + MINUTE));
    await api(store).set('s', eocSession('auth0|b', now + MINUTE));
    expect(await store.listForUser('auth0|a')).toEqual([]);
    expect((await store.listForUser('auth0|b')).map((s) => s.id)).toEqual(['s']);
    expect(await store.destroyAllForUser('auth0|a')).toBe(0);
    expect(await api(store).get('s')).not.toBeNull();
  });

  it('falls back to the default lifetime when the session carries no expiry', async () => {
    await api(store).set('sid', { data: {} } as unknown as SessionData);
    now += 29 * MINUTE;
    expect(await api(store).get('sid')).not.toBeNull();
    now += 2 * MINUTE;
    expect(await api(store).get('sid')).toBeNull();
  });
});

describe('GuardedSessionStore', () => {
  const COOKIE = 'pfc_session';
  const guard = (inner: UserSessionStore, readTimeoutMs = 100, touchAfterSeconds?: number) =>
    new GuardedSessionStore(inner, { cookieName: COOKIE, readTimeoutMs, ...(touchAfterSeconds === undefined ? {} : { touchAfterSeconds }) });

  async function failing(kind: 'throw' | 'hang'): Promise<UserSessionStore> {
    const { store: inner } = await freshStore({ defaultTtlMs: MINUTE });
    inner.get = (_sid, cb) => {
      if (kind === 'throw') cb(new Error('disk I/O error'));
    };
    return inner;
  }

  /** What the library does with a read: attaches its data object to the request as req[cookie name]. */
  const requestWith = (read: SessionData | null | undefined, method = 'GET') => ({ method, [COOKIE]: (read as unknown as { data?: object } | null)?.data ?? {} }) as never;

  /** Runs the store check on a request; returns what it passed on, and the response's cookie calls. */
  function check(guarded: GuardedSessionStore, req: never) {
    const cookies: string[] = [];
    const res = { cookie: (name: string) => void cookies.push(`set ${name}`), clearCookie: (name: string) => void cookies.push(`clear ${name}`) };
    return new Promise<{ err: unknown; res: typeof res; cookies: string[] }>((resolve) =>
      guarded.checkStore(() => new Error('503'))(req, res as never, (err?: unknown) => resolve({ err, res, cookies })),
    );
  }

  it('passes reads and writes through when the store is healthy', async () => {
    const { store: inner } = await freshStore({ defaultTtlMs: MINUTE });
    const guarded = guard(inner);
    await api(guarded).set('s', eocSession('auth0|a', Date.now() + MINUTE));
    const read = await api(guarded).get('s');
    expect(read).not.toBeNull();
    expect((await check(guarded, requestWith(read))).err).toBeUndefined();
  });

  it.each(['throw', 'hang'] as const)(
    'answers a failed read (%s) with a stand-in session that signs nobody in, is refused, and is never written or destroyed',
    async (kind) => {
      const inner = await failing(kind);
      const written: string[] = [];
      inner.set = (sid, _session, cb) => void (written.push(`set ${sid}`), cb?.());
      inner.destroy = (sid, cb) => void (written.push(`destroy ${sid}`), cb?.());
      const guarded = guard(inner, 50);
      const started = Date.now();
      const read = (await api(guarded).get('s')) as unknown as { header: { exp: number }; data: Record<string, unknown> };
      expect(Date.now() - started).toBeLessThan(1000);
      // Passes the library's expiry checks, so the library does not treat it as "no session" and destroy it...
      expect(read.header.exp).toBeGreaterThan(Date.now() / 1000);
      // ...and carries no tokens, so nobody is signed in by it.
      expect(read.data).not.toHaveProperty('id_token');

      const { err, res, cookies } = await check(guarded, requestWith(read as never, 'POST'));
      expect(err).toEqual(new Error('503'));
      // The session cookie is neither set again nor cleared; other cookies still are.
      res.cookie(COOKIE);
      res.clearCookie(COOKIE);
      res.cookie('other');
      res.clearCookie('other');
      expect(cookies).toEqual(['set other', 'clear other']);

      // The library's write at the end of the response changes nothing.
      await api(guarded).set('s', { header: { iat: 1, uat: 2, exp: 3 }, data: read.data } as unknown as SessionData);
      expect(written).toEqual([]);
    },
  );

  it('refuses only the request whose read failed: a request that read the same session does not get 503', async () => {
    const { store: inner } = await freshStore({ defaultTtlMs: MINUTE });
    const guarded = guard(inner);
    await api(guarded).set('s', eocSession('auth0|a', Date.now() + MINUTE));
    const good = await api(guarded).get('s');
    const get = inner.get.bind(inner);
    inner.get = (_sid, cb) => cb(new Error('disk I/O error'));
    const bad = await api(guarded).get('s');
    inner.get = get;
    expect((await check(guarded, requestWith(bad))).err).toEqual(new Error('503'));
    expect((await check(guarded, requestWith(good))).err).toBeUndefined();
  });

  it('proves the store takes writes before a state-changing request, by touching its session unless written within the last minute', async () => {
    const { store: inner } = await freshStore({ defaultTtlMs: MINUTE });
    const guarded = guard(inner);
    await api(guarded).set('s', eocSession('auth0|a', Date.now() + MINUTE));
    const read = await api(guarded).get('s');
    const touched: Array<[string, number]> = [];
    const touch = inner.touchUnlessRecent.bind(inner);
    inner.touchUnlessRecent = (sid, session, withinMs, cb) => {
      touched.push([sid, withinMs]);
      touch(sid, session, withinMs, cb);
    };
    expect((await check(guarded, requestWith(read, 'POST'))).err).toBeUndefined();
    expect(touched).toEqual([['s', MINUTE]]);
    inner.touchUnlessRecent = (_sid, _session, _withinMs, cb) => cb?.(new Error('read-only file system'));
    expect((await check(guarded, requestWith(read, 'POST'))).err).toEqual(new Error('503'));
    // A page view is not held up by it.
    expect((await check(guarded, requestWith(read, 'GET'))).err).toBeUndefined();
  });

  it('deletes the session a request read when asked (sign-out), and nothing for a request without one', async () => {
    const { store: inner } = await freshStore({ defaultTtlMs: MINUTE });
    const guarded = guard(inner);
    await api(guarded).set('s', eocSession('auth0|a', Date.now() + MINUTE));
    await api(guarded).set('t', eocSession('auth0|b', Date.now() + MINUTE));
    await guarded.destroyCurrent(requestWith(null));
    const read = await api(guarded).get('s');
    await guarded.destroyCurrent(requestWith(read));
    expect(await api(inner).get('s')).toBeNull();
    expect(await api(inner).get('t')).not.toBeNull();
  });

  describe('writes at the end of a request', () => {
    async function counted() {
      const { store: inner } = await freshStore({ defaultTtlMs: MINUTE });
      const writes: string[] = [];
      const set = inner.set.bind(inner);
      inner.set = (sid, session, cb) => {
        writes.push(sid);
        set(sid, session, cb);
      };
      return { inner, writes };
    }
    /** The session as stored after the library's write at `uat` (epoch seconds). */
    const T = Math.floor(Date.now() / 1000) - 1000;
    function at(uat: number, data: Record<string, unknown>) {
      return { header: { iat: T + 1000, uat: T + uat, exp: T + uat + 3600 }, data, cookie: { expires: (T + uat + 3600) * 1000 } } as unknown as SessionData;
    }
    /** As the library does: the data object it read is the one it writes back, possibly changed in place. */
    const dataOf = (read: SessionData | null | undefined) => (read as unknown as { data: Record<string, unknown> }).data;

    /** A session last written at 1000 s; `request` runs with a guarded store; returns what was written during it. */
    async function writesDuring(request: (store: GuardedSessionStore) => Promise<void>, stored: Record<string, unknown> = { userSub: 'auth0|a' }) {
      const { inner, writes } = await counted();
      await api(inner).set('s', at(1000, stored));
      writes.length = 0;
      await request(guard(inner, 100, 60));
      return { inner, writes };
    }

    it('skip rewriting an unchanged session read less than a minute after its last write', async () => {
      const { writes } = await writesDuring(async (guarded) => {
        const read = await api(guarded).get('s');
        await api(guarded).set('s', at(1059, dataOf(read)));
      });
      expect(writes).toEqual([]);
    });

    it('rewrite an unchanged session once a minute has passed, so the idle deadline moves', async () => {
      const { writes } = await writesDuring(async (guarded) => {
        const read = await api(guarded).get('s');
        await api(guarded).set('s', at(1060, dataOf(read)));
      });
      expect(writes).toEqual(['s']);
    });

    it('always write a session whose data changed during the request, even when the object was changed in place', async () => {
      const { inner, writes } = await writesDuring(async (guarded) => {
        const read = dataOf(await api(guarded).get('s'));
        read.csrfToken = 'new';
        await api(guarded).set('s', at(1001, read));
      });
      expect(writes).toEqual(['s']);
      expect(dataOf(await api(inner).get('s')).csrfToken).toBe('new');
    });

    it('tell a change anywhere in the data from the same values read again: nested objects changed in place, fields removed, added or of another type', async () => {
      const stored = () => ({ userSub: 'auth0|a', idToken: 'x'.repeat(1200), expiresAt: 1234, flash: { kind: 'ok', text: 'Saved.' }, meta: { handle: 'h', agent: { browser: 'Firefox' } } });
      const changes: Array<[string, (d: Record<string, unknown>) => void]> = [
        ['a nested field changed in place', (d) => ((d.meta as { agent: { browser: string } }).agent.browser = 'Chrome')],
        ['the flash taken', (d) => delete d.flash],
        ['a field added', (d) => (d.csrfToken = 't')],
        ['a number changed', (d) => (d.expiresAt = 1235)],
        ['a string that became an object with the same JSON', (d) => (d.userSub = { toJSON: () => 'auth0|a' })],
        ['an object that became its own JSON string', (d) => (d.flash = JSON.stringify(d.flash))],
        ['the same fields in another order', (d) => { const token = d.idToken; delete d.idToken; d.idToken = token; }],
      ];
      for (const [what, change] of changes) {
        const { writes } = await writesDuring(async (guarded) => {
          const read = dataOf(await api(guarded).get('s'));
          change(read);
          await api(guarded).set('s', at(1001, read));
        }, stored());
        expect(writes, what).toEqual(['s']);
      }
      // Every field replaced by an equal value (new strings and objects with the same content): nothing to write.
      const { writes } = await writesDuring(async (guarded) => {
        const read = dataOf(await api(guarded).get('s'));
        for (const [key, value] of Object.entries(stored())) read[key] = typeof value === 'string' ? [...value].join('') : value;
        await api(guarded).set('s', at(1001, read));
      }, stored());
      expect(writes).toEqual([]);
    });

    it('always write a session saved under another id (a new login), data it did not read, or when throttling is off', async () => {
      const { inner, writes } = await counted();
      await api(inner).set('s', at(1000, { userSub: 'auth0|a' }));
      writes.length = 0;
      const throttled = guard(inner, 100, 60);
      await api(throttled).set('t', at(1001, dataOf(await api(throttled).get('s'))));
      await api(throttled).set('s', at(1001, { userSub: 'auth0|a' }));
      const unthrottled = guard(inner, 100, 0);
      await api(unthrottled).set('s', at(1001, dataOf(await api(unthrottled).get('s'))));
      expect(writes).toEqual(['t', 's', 's']);
    });
  });
});

describe('SignedIdSessionStore', () => {
  it('reads, saves and touches under the bare id of a signed cookie value, and refuses an unsigned or forged one without reaching the store', async () => {
    const { store: inner } = await freshStore({ defaultTtlMs: MINUTE });
    const signer = createSessionIdSigner('a-secret-that-is-long-enough-0123456789abcdef', 'pfc_session');
    const signed = new SignedIdSessionStore(inner, signer);
    const cookie = signer.generate();
    const id = signer.verify(cookie)!;
    const session = eocSession('auth0|a', Date.now() + MINUTE);
    await api(signed).set(cookie, session);
    await api(signed).touch(cookie, session);
    await api(signed).touchUnlessRecent(cookie, session, MINUTE);
    expect(await api(inner).get(id)).not.toBeNull();
    expect(await api(signed).get(cookie)).toEqual(await api(inner).get(id));
    const reached: string[] = [];
    for (const method of ['get', 'set', 'touch', 'touchUnlessRecent'] as const) {
      const original = inner[method].bind(inner) as (...args: unknown[]) => void;
      (inner as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        reached.push(method);
        original(...args);
      };
    }
    for (const forged of [id, `${id}.${'A'.repeat(43)}`]) {
      expect(await api(signed).get(forged)).toBeNull();
      await expect(api(signed).set(forged, session)).rejects.toThrow('refused to save a session under an unsigned id');
      await expect(api(signed).touch(forged, session)).rejects.toThrow('refused to touch a session under an unsigned id');
      await expect(api(signed).touchUnlessRecent(forged, session, MINUTE)).rejects.toThrow('refused to touch a session under an unsigned id');
    }
    expect(reached).toEqual([]);
  });
});
