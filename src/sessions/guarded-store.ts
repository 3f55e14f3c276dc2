import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { Store, type SessionData } from 'express-session';
import type { Callback, SessionSummary, UserSessionStore } from './types.js';

interface RequestStoreState {
  readFailed: boolean;
}

/**
 * express-openid-connect swallows store read errors: it treats them as "no session" and then
 * destroys the entry, which silently logs the user out. This wrapper notes a failed (or hung)
 * read on the current request, turns that request's later writes into no-ops so nothing is
 * destroyed, and lets `failOnStoreError` answer 503 instead.
 */
export class GuardedSessionStore extends Store implements UserSessionStore {
  private readonly requests = new AsyncLocalStorage<RequestStoreState>();

  constructor(
    private readonly inner: UserSessionStore,
    private readonly readTimeoutMs: number,
  ) {
    super();
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
      callback(err, value);
    };
    try {
      this.inner.get(sid, finish);
    } catch (err) {
      finish(err);
    }
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    if (this.requests.getStore()?.readFailed) {
      callback?.();
      return;
    }
    this.inner.set(sid, session, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    if (this.requests.getStore()?.readFailed) {
      callback?.();
      return;
    }
    this.inner.destroy(sid, callback);
  }

  destroyAllForUser(userSub: string): Promise<number> {
    return this.inner.destroyAllForUser(userSub);
  }

  destroyByProviderSession(providerSid: string): Promise<number> {
    return this.inner.destroyByProviderSession(providerSid);
  }

  listForUser(userSub: string): Promise<SessionSummary[]> {
    return this.inner.listForUser(userSub);
  }

  countActiveByUser(): Promise<Map<string, number>> {
    return this.inner.countActiveByUser();
  }

  prune(): Promise<number> {
    return this.inner.prune();
  }
}
