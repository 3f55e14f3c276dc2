import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { DelegatingSessionStore } from './delegating-store.js';
import type { Callback, UserSessionStore } from './types.js';

interface RequestStoreState {
  readFailed: boolean;
  /** The session read for this request, so a state-changing request can check the store takes writes. */
  read?: { sid: string; value: SessionData };
}

/**
 * express-openid-connect swallows store read errors: it treats them as "no session" and then
 * destroys the entry, which silently logs the user out. This wrapper notes a failed (or hung)
 * read on the current request, turns that request's later writes into no-ops so nothing is
 * destroyed, and lets `failOnStoreError` answer 503 instead.
 */
export class GuardedSessionStore extends DelegatingSessionStore {
  private readonly requests = new AsyncLocalStorage<RequestStoreState>();

  constructor(
    inner: UserSessionStore,
    private readonly readTimeoutMs: number,
    /** Told about writes that failed while a response was being finished. */
    private readonly onWriteError: (err: unknown) => void = () => {},
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

  /** Runs after the OIDC middleware: a failed read becomes a 503, never a silent logout. */
  readonly failOnStoreError = (onFailure: () => Error): RequestHandler => {
    return (_req, res, next) => {
      if (!this.requests.getStore()?.readFailed) {
        next();
        return;
      }
      // The library would also clear the session cookie on this response, because it thinks
      // there is no session. Keep the cookie: the session is still valid once the store is back.
      res.clearCookie = () => res;
      next(onFailure());
    };
  };

  /**
   * Before a state-changing request runs, writes the session back once: if the store is not
   * taking writes, the request fails with 503 before the feature changes anything, instead of
   * changing data and then failing to save the session at the end.
   */
  readonly requireWritable = (onFailure: () => Error): RequestHandler => {
    return (req, _res, next) => {
      const read = this.requests.getStore()?.read;
      if (req.method === 'GET' || req.method === 'HEAD' || !read) return next();
      this.inner.set(read.sid, read.value, (err) => next(err ? onFailure() : undefined));
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
      if (!err && value && state) state.read = { sid, value };
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
  // writable (requireWritable) and sign-out deletes eagerly (destroyCurrent), so a failure here
  // is logged and the response stands.
  override set(sid: string, session: SessionData, callback?: Callback): void {
    if (this.requests.getStore()?.readFailed) {
      callback?.();
      return;
    }
    this.inner.set(sid, session, (err) => {
      if (err) this.onWriteError(err);
      callback?.();
    });
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
