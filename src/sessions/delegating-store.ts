import { Store, type SessionData } from 'express-session';
import type { Callback, SessionSummary, UserSessionStore } from './types.js';

/** A store that passes everything to another; wrappers override only what they change. */
export class DelegatingSessionStore extends Store implements UserSessionStore {
  constructor(protected readonly inner: UserSessionStore) {
    super();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.inner.get(sid, callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    this.inner.set(sid, session, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.inner.destroy(sid, callback);
  }

  override touch(sid: string, session: SessionData, callback?: Callback): void {
    this.inner.touch(sid, session, callback);
  }

  touchUnlessRecent(sid: string, session: SessionData, withinMs: number, callback?: Callback): void {
    this.inner.touchUnlessRecent(sid, session, withinMs, callback);
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
