import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { DelegatingSessionStore } from './delegating-store.js';
import type { Callback, UserSessionStore } from './types.js';

interface RequestStoreState {
  readFailed: boolean;
  /** The session read for this request, so a state-changing request can check the store takes writes. */
  read?: { sid: string; value: SessionData; written: WrittenState };
}

/** What express-openid-connect writes: its timestamps (epoch seconds) beside the session data. */
interface StoredSession {
  header?: { iat?: number; uat?: number; exp?: number };
  data?: unknown;
}

/** The part of a stored session that decides whether writing it again changes anything. */
interface WrittenState {
  iat: number | undefined;
  uat: number | undefined;
  /** A snapshot taken at read time: the library hands the same object to the app, which changes it in place. */
  dataJson: string;
}

function writtenState(session: SessionData): WrittenState {
  const s = session as unknown as StoredSession;
  return { iat: s.header?.iat, uat: s.header?.uat, dataJson: JSON.stringify(s.data ?? null) };
}

/**
 * express-openid-connect swallows store read errors: it treats them as "no session" and then
 * destroys the entry, which silently logs the user out. This wrapper notes a failed (or hung)
 * read on the current request, turns that request's later writes into no-ops so nothing is
 * destroyed, and lets `checkStore` answer 503 instead.
 */
export class GuardedSessionStore extends DelegatingSessionStore {
  private readonly requests = new AsyncLocalStorage<RequestStoreState>();

  constructor(
    inner: UserSessionStore,
    private readonly readTimeoutMs: number,
    /** Told about writes that failed while a response was being finished. */
    private readonly onWriteError: (err: unknown) => void = () => {},
    /**
     * The library writes the whole session back at the end of every response only to move its
     * idle deadline. A session whose data did not change is written again only once this much
     * time has passed since its last write, like connect stores' `touchAfter`: the idle timeout
     * then ends between this long before its nominal time and that time. 0 writes every time.
     */
    private readonly touchAfterSeconds = 60,
  ) {
    super(inner);
  }

  /**
   * Deletes the current request's session now, so a caller (sign-out) learns whether it worked
   * instead of the library trying at the end of the response.
   */
  destroyCurrent(): Promise<void> {
    const read = this.requests.getStore()?.read;
    if (!read) return Promise.resolve();
    return new Promise((resolve, reject) => this.inner.destroy(read.sid, (err) => (err ? reject(err) : resolve())));
  }

  /** Must run before the OIDC middleware, so the store calls it makes see this request's state. */
  readonly track: RequestHandler = (_req, _res, next) => {
    this.requests.run({ readFailed: false }, next);
  };

  /**
   * Runs after the OIDC middleware. A failed read becomes a 503, never a silent logout. Before a
   * state-changing request runs, the session is written back once: if the store is not taking
   * writes, the request fails with 503 before the feature changes anything, instead of changing
   * data and then failing to save the session at the end.
   */
  readonly checkStore = (onFailure: () => Error): RequestHandler => {
    const requests = this.requests;
    const inner = this.inner;
    return function sessionStoreCheck(req, res, next) {
      const state = requests.getStore();
      if (state?.readFailed) {
        // The library would also clear the session cookie on this response, because it thinks
        // there is no session. Keep the cookie: the session is still valid once the store is back.
        res.clearCookie = () => res;
        return next(onFailure());
      }
      const read = state?.read;
      if (req.method === 'GET' || req.method === 'HEAD' || !read) return next();
      inner.set(read.sid, read.value, (err) => next(err ? onFailure() : undefined));
    };
  };

  override get(sid: string, callback: Callback<SessionData | null>): void {
    const state = this.requests.getStore();
    let settled = false;
    const timer = setTimeout(() => finish(new Error('session store read timed out')), this.readTimeoutMs);
    timer.unref();
    const finish = (err?: unknown, value?: SessionData | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err && state) state.readFailed = true;
      if (!err && value && state) state.read = { sid, value, written: writtenState(value) };
      callback(err, value);
    };
    try {
      this.inner.get(sid, finish);
    } catch (err) {
      finish(err);
    }
  }

  // The library calls set/destroy while ending the response; an error there would reach a
  // default error page after ours was sent. State-changing requests already proved the store
  // writable (checkStore) and sign-out deletes eagerly (destroyCurrent), so a failure here
  // is logged and the response stands.
  override set(sid: string, session: SessionData, callback?: Callback): void {
    const state = this.requests.getStore();
    if (state?.readFailed || (state?.read?.sid === sid && this.isUnchangedTouch(state.read.written, session))) {
      callback?.();
      return;
    }
    this.inner.set(sid, session, (err) => {
      if (err) this.onWriteError(err);
      callback?.();
    });
  }

  /** Same login, same data, and the last write is recent: writing would only move the idle deadline a little. */
  private isUnchangedTouch(before: WrittenState, session: SessionData): boolean {
    if (this.touchAfterSeconds <= 0) return false;
    const header = (session as unknown as StoredSession).header;
    if (before.iat === undefined || before.uat === undefined || header?.iat !== before.iat || header.uat === undefined) return false;
    if (header.uat - before.uat >= this.touchAfterSeconds) return false;
    // Serialized only once the timestamps allow skipping: a write serializes the session anyway.
    return writtenState(session).dataJson === before.dataJson;
  }

  override destroy(sid: string, callback?: Callback): void {
    if (this.requests.getStore()?.readFailed) {
      callback?.();
      return;
    }
    this.inner.destroy(sid, (err) => {
      if (err) this.onWriteError(err);
      callback?.();
    });
  }
}
