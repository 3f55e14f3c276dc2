import type { Request, RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { DelegatingSessionStore } from './delegating-store.js';
import type { Callback, UserSessionStore } from './types.js';

/** A session read for a request: kept so the request can check the store takes writes, and to skip an unchanged rewrite. */
interface ReadSession {
  storeKey: string;
  value: SessionData;
  written: WrittenState;
}

/** What the session layer writes (express-openid-connect's shape): timestamps (epoch seconds) beside the session data. */
interface StoredSession {
  header?: { iat?: number; uat?: number; exp?: number };
  data?: unknown;
}

/** The part of a stored session that decides whether writing it again changes anything. */
interface WrittenState {
  iat: number | undefined;
  uat: number | undefined;
  /** A snapshot taken at read time: the session layer hands the same object to the app, which changes it in place. */
  data: DataSnapshot;
}

/**
 * The session data's own fields: a primitive as it is, an object (the flash, the session's
 * description) as its JSON. Comparing this costs a pointer comparison for each unchanged token,
 * where serializing the whole session (tokens of a kilobyte and more) twice a request cost 2% of a
 * page's time.
 */
type DataSnapshot = ReadonlyArray<readonly [string, unknown]>;

/** Marks a snapshot value as an object's JSON, so it never equals a string field's value. */
class ObjectJson {
  constructor(readonly json: string) {}
}

function snapshotOf(data: unknown): DataSnapshot {
  if (!isObject(data)) return [['', data]];
  return Object.entries(data).map(([key, value]) => [key, isObject(value) ? new ObjectJson(JSON.stringify(value)) : value] as const);
}

function sameData(before: DataSnapshot, data: unknown): boolean {
  if (!isObject(data)) return before.length === 1 && before[0]![0] === '' && before[0]![1] === data;
  const keys = Object.keys(data);
  if (keys.length !== before.length) return false;
  const record = data as Record<string, unknown>;
  return before.every(([key, was], i) => {
    if (keys[i] !== key) return false;
    const now = record[key];
    return was instanceof ObjectJson ? isObject(now) && JSON.stringify(now) === was.json : !isObject(now) && Object.is(now, was);
  });
}

export interface GuardedStoreOptions {
  /** The session cookie's name: the session layer puts the session data on `req[cookieName]`. */
  cookieName: string;
  /** A read that has not answered after this long counts as failed. */
  readTimeoutMs: number;
  /** Told about writes that failed while a response was being finished. */
  onWriteError?: (err: unknown) => void;
  /**
   * The library writes the whole session back at the end of every response only to move its
   * idle deadline. A session whose data did not change is written again only once this much
   * time has passed since its last write, like connect stores' `touchAfter`: the idle timeout
   * then ends between this long before its nominal time and that time. 0 writes every time.
   */
  touchAfterSeconds?: number;
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

function writtenState(session: SessionData): WrittenState {
  const s = session as unknown as StoredSession;
  return { iat: s.header?.iat, uat: s.header?.uat, data: snapshotOf(s.data ?? null) };
}

/** Where a successful read is kept: on the data object the session layer attaches to the request. */
const READ = Symbol('session read');

function keepRead(data: object, read: ReadSession): void {
  Object.defineProperty(data, READ, { value: read, configurable: true, enumerable: false, writable: false });
}

function readOf(data: object): ReadSession | undefined {
  return (data as { [READ]?: ReadSession })[READ];
}

/**
 * The session layer (like express-openid-connect's before it) treats a failed read as "no session" and then
 * destroys the entry, which silently logs the user out. This wrapper answers a failed (or hung)
 * read with a stand-in session instead: one that signs nobody in (no tokens), that `checkStore`
 * refuses with 503, and that is never written back, so nothing is destroyed.
 *
 * Which request a store call belongs to is told by the session data object itself: the layer
 * attaches exactly the `data` object a read returned to the request (`req[cookieName]`) and hands
 * that same object back to `set` at the end of the response. So no per-request context
 * (AsyncLocalStorage) is needed, and none is kept: its promise hooks cost every request.
 *
 * The read is kept on that object, under a symbol (not enumerable: never serialized, never among
 * the data's keys), rather than in a WeakMap keyed by it: the entry's value holds the session, and
 * so its own key, and V8's scavenger keeps every WeakMap value alive until a full collection, which
 * moved every session read (about 2 KB) to old space.
 */
export class GuardedSessionStore extends DelegatingSessionStore {
  /** The stand-in data of failed reads. */
  private readonly failed = new WeakSet<object>();
  private readonly cookieName: string;
  private readonly readTimeoutMs: number;
  private readonly onWriteError: (err: unknown) => void;
  private readonly touchAfterSeconds: number;

  constructor(inner: UserSessionStore, options: GuardedStoreOptions) {
    super(inner);
    this.cookieName = options.cookieName;
    this.readTimeoutMs = options.readTimeoutMs;
    this.onWriteError = options.onWriteError ?? (() => {});
    this.touchAfterSeconds = options.touchAfterSeconds ?? 60;
  }

  /** The session data the session layer attached to this request. */
  private dataOf(req: Request): unknown {
    return (req as unknown as Record<string, unknown>)[this.cookieName];
  }

  /**
   * Deletes the request's session now, so a caller (sign-out) learns whether it worked instead
   * of the session layer trying at the end of the response.
   */
  destroyCurrent(req: Request): Promise<void> {
    const data = this.dataOf(req);
    const read = isObject(data) ? readOf(data) : undefined;
    if (!read) return Promise.resolve();
    return new Promise((resolve, reject) => this.inner.destroy(read.storeKey, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Runs after the OIDC middleware. A failed read becomes a 503, never a silent logout. Before a
   * state-changing request runs, the session is touched (a write of its timestamps): if the store is not taking
   * writes, the request fails with 503 before the feature changes anything, instead of changing
   * data and then failing to save the session at the end. Like the write at the end of a
   * response, the touch moves the timestamps only once `touchAfterSeconds` have passed since the
   * last write; until then it is a write that changes nothing (on SQLite: the write lock taken,
   * no page written).
   */
  readonly checkStore = (onFailure: () => Error): RequestHandler => {
    const store = this;
    return function sessionStoreCheck(req, res, next) {
      const data = store.dataOf(req);
      if (!isObject(data)) return next();
      if (store.failed.has(data)) {
        // Keep the session cookie as it is: the session is still valid once the store is back.
        // The library would otherwise set it again for the stand-in session.
        const setCookie = res.cookie.bind(res);
        const clearCookie = res.clearCookie.bind(res);
        res.cookie = ((name: string, ...rest: [string, object?]) => (name === store.cookieName ? res : setCookie(name, ...(rest as [string, object])))) as typeof res.cookie;
        res.clearCookie = ((name: string, options?: object) => (name === store.cookieName ? res : clearCookie(name, options))) as typeof res.clearCookie;
        return next(onFailure());
      }
      const read = readOf(data);
      if (req.method === 'GET' || req.method === 'HEAD' || !read) return next();
      store.inner.touchUnlessRecent(read.storeKey, read.value, store.touchAfterSeconds * 1000, (err) => next(err ? onFailure() : undefined));
    };
  };

  override get(storeKey: string, callback: Callback<SessionData | null>): void {
    let settled = false;
    const timer = setTimeout(() => finish(new Error('session store read timed out')), this.readTimeoutMs);
    timer.unref();
    const finish = (err?: unknown, value?: SessionData | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) return callback(null, this.standIn());
      const data = (value as unknown as StoredSession | null | undefined)?.data;
      if (value && isObject(data)) keepRead(data, { storeKey, value, written: writtenState(value) });
      callback(null, value);
    };
    try {
      this.inner.get(storeKey, finish);
    } catch (err) {
      finish(err);
    }
  }

  /**
   * The stand-in for a session that could not be read: it passes the session layer's expiry checks,
   * holds no tokens (so nobody is signed in by it) and is remembered, so the request is refused
   * and nothing is written for it.
   */
  private standIn(): SessionData {
    const now = Math.floor(Date.now() / 1000);
    const data = { sessionStoreUnavailable: true };
    this.failed.add(data);
    return { header: { iat: now, uat: now, exp: now + 60 }, data } as unknown as SessionData;
  }

  // The session layer calls set/destroy while ending the response; an error there would reach a
  // default error page after ours was sent. State-changing requests already proved the store
  // writable (checkStore) and sign-out deletes eagerly (destroyCurrent), so a failure here
  // is logged and the response stands.
  override set(storeKey: string, session: SessionData, callback?: Callback): void {
    const data = (session as unknown as StoredSession).data;
    if ((isObject(data) && this.failed.has(data)) || this.isUnchangedTouch(storeKey, session)) {
      callback?.();
      return;
    }
    this.inner.set(storeKey, session, (err) => {
      if (err) this.onWriteError(err);
      callback?.();
    });
  }

  /** What `set` would skip: the session this request read, under the same id, with nothing but its idle deadline moved a little. */
  isUnchangedTouch(storeKey: string, session: SessionData): boolean {
    const data = (session as unknown as StoredSession).data;
    const read = isObject(data) ? readOf(data) : undefined;
    return read?.storeKey === storeKey && this.unchangedSince(read.written, session);
  }

  /** Same login, same data, and the last write is recent: writing would only move the idle deadline a little. */
  private unchangedSince(before: WrittenState, session: SessionData): boolean {
    if (this.touchAfterSeconds <= 0) return false;
    const header = (session as unknown as StoredSession).header;
    if (before.iat === undefined || before.uat === undefined || header?.iat !== before.iat || header.uat === undefined) return false;
    if (header.uat - before.uat >= this.touchAfterSeconds) return false;
    // Compared only once the timestamps allow skipping: a write serializes the session anyway.
    return sameData(before.data, (session as unknown as StoredSession).data ?? null);
  }

  override destroy(storeKey: string, callback?: Callback): void {
    this.inner.destroy(storeKey, (err) => {
      if (err) this.onWriteError(err);
      callback?.();
    });
  }
}
