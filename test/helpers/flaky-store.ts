import { Store, type SessionData } from 'express-session';
import type { Callback, SessionSummary, UserSessionStore } from '../../src/sessions/types.js';

/** Delegates to a real store, but reads can be made to fail or hang on demand. */
export class FlakyStore extends Store implements UserSessionStore {
  mode: 'ok' | 'throw' | 'hang' = 'ok';
  writes: 'ok' | 'throw' = 'ok';

  constructor(private readonly inner: UserSessionStore) {
    super();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    if (this.mode === 'throw') callback(new Error('SQLITE_IOERR: disk I/O error'));
    else if (this.mode === 'hang') return;
    else this.inner.get(sid, callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    if (this.writes === 'throw') callback?.(new Error('SQLITE_FULL: database or disk is full'));
    else this.inner.set(sid, session, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
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
