import type { SessionData } from 'express-session';
import { DelegatingSessionStore } from '../../src/sessions/delegating-store.js';
import type { Callback } from '../../src/sessions/types.js';

/** Delegates to a real store, but reads can be made to fail or hang, and writes to fail, on demand. */
export class FlakyStore extends DelegatingSessionStore {
  mode: 'ok' | 'throw' | 'hang' = 'ok';
  writes: 'ok' | 'throw' = 'ok';

  override get(sid: string, callback: Callback<SessionData | null>): void {
    if (this.mode === 'throw') callback(new Error('SQLITE_IOERR: disk I/O error'));
    else if (this.mode === 'hang') return;
    else super.get(sid, callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    if (this.writes === 'throw') callback?.(new Error('SQLITE_FULL: database or disk is full'));
    else super.set(sid, session, callback);
  }

  override touch(sid: string, session: SessionData, callback?: Callback): void {
    if (this.writes === 'throw') callback?.(new Error('SQLITE_FULL: database or disk is full'));
    else super.touch(sid, session, callback);
  }

  override touchUnlessRecent(sid: string, session: SessionData, withinMs: number, callback?: Callback): void {
    if (this.writes === 'throw') callback?.(new Error('SQLITE_FULL: database or disk is full'));
    else super.touchUnlessRecent(sid, session, withinMs, callback);
  }
}
