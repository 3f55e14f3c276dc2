import type { SessionData } from 'express-session';
import { DelegatingSessionStore } from './delegating-store.js';
import type { SessionIdSigner } from './signed-ids.js';
import type { Callback, UserSessionStore } from './types.js';

/**
 * What the session layer calls with the cookie value: only a genuinely signed value reaches
 * the store, as its bare id. A forged or unsigned cookie reads as no session without a lookup.
 * Everything keyed by store id or user (listing, ending sessions) passes straight through.
 */
export class SignedIdSessionStore extends DelegatingSessionStore {
  constructor(
    inner: UserSessionStore,
    private readonly signer: SessionIdSigner,
  ) {
    super(inner);
  }

  override get(cookieValue: string, callback: Callback<SessionData | null>): void {
    const id = this.signer.verify(cookieValue);
    if (id === null) {
      callback(null, null);
      return;
    }
    this.inner.get(id, callback);
  }

  override set(cookieValue: string, session: SessionData, callback?: Callback): void {
    this.write(cookieValue, 'save', callback, (id) => this.inner.set(id, session, callback));
  }

  override touch(cookieValue: string, session: SessionData, callback?: Callback): void {
    this.write(cookieValue, 'touch', callback, (id) => this.inner.touch(id, session, callback));
  }

  override touchUnlessRecent(cookieValue: string, session: SessionData, withinMs: number, callback?: Callback): void {
    this.write(cookieValue, 'touch', callback, (id) => this.inner.touchUnlessRecent(id, session, withinMs, callback));
  }

  /** A write goes to the store under the bare id, and is refused for an unsigned one. */
  private write(cookieValue: string, what: string, callback: Callback | undefined, action: (id: string) => void): void {
    const id = this.signer.verify(cookieValue);
    if (id === null) callback?.(new Error(`refused to ${what} a session under an unsigned id`));
    else action(id);
  }

  override destroy(cookieValue: string, callback?: Callback): void {
    const id = this.signer.verify(cookieValue);
    if (id === null) {
      callback?.();
      return;
    }
    this.inner.destroy(id, callback);
  }
}
