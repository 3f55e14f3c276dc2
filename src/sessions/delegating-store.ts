import { Store, type SessionData } from 'express-session';
import type { Callback, SessionSummary, UserSessionStore } from './types.js';

/** A store that passes everything to another; wrappers override only what they change. */
export class DelegatingSessionStore extends Store implements UserSessionStore {
  constructor(protected readonly inner: UserSessionStore) {
    super();
  }

  override get(storeKey: string, callback: Callback<SessionData | null>): void {
    this.inner.get(storeKey, callback);
  }

  override set(storeKey: string, session: SessionData, callback?: Callback): void {
    this.inner.set(storeKey, session, callback);
  }

  override destroy(storeKey: string, callback?: Callback): void {
    this.inner.destroy(storeKey, callback);
  }

  override touch(storeKey: string, session: SessionData, callback?: Callback): void {
    this.inner.touch(storeKey, session, callback);
  }

  touchUnlessRecent(storeKey: string, session: SessionData, withinMs: number, callback?: Callback): void {
    this.inner.touchUnlessRecent(storeKey, session, withinMs, callback);
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
