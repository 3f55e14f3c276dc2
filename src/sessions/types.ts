import type { SessionData, Store } from 'express-session';

/** One active session as the profile and admin pages show it. */
export interface SessionSummary {
  id: string;
  userSub: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  /** Whatever small, non-secret metadata the app put on the session at login (IP, user agent). */
  meta: Record<string, unknown>;
}

/**
 * The express-session Store interface, plus the per-user operations the app needs.
 * A Redis-backed store that implements this can replace the SQLite one without touching features.
 */
export interface UserSessionStore extends Store {
  /**
   * Marks a session active without rewriting its data: its idle deadline and last-active time
   * move. It is a write, so it fails when the store takes no writes.
   */
  touch(storeKey: string, session: SessionData, callback?: Callback): void;
  /**
   * The check before a state-changing request: a write like `touch`, so it fails when the store
   * takes no writes, but one that moves the idle deadline only when the session was last written
   * at least `withinMs` ago. A store may move it every time.
   */
  touchUnlessRecent(storeKey: string, session: SessionData, withinMs: number, callback?: Callback): void;
  /** Deletes every session of one user; resolves to how many were deleted. */
  destroyAllForUser(userSub: string): Promise<number>;
  /** Deletes the sessions started from one identity-provider session (its `sid` claim). */
  destroyByProviderSession(providerSid: string): Promise<number>;
  listForUser(userSub: string): Promise<SessionSummary[]>;
  /** Active sessions per user, for the admin dashboard. */
  countActiveByUser(): Promise<Map<string, number>>;
  /** Deletes expired entries; resolves to how many were deleted. */
  prune(): Promise<number>;
}

export type Callback<T = void> = (err?: unknown, value?: T) => void;
