import type { Request, RequestHandler } from 'express';
import type { SessionAccess } from '../sessions/access.js';

export type FlashKind = 'ok' | 'error';
export interface Flash {
  kind: FlashKind;
  text: string;
}

/** Longest message kept: a sentence, not a document (the session row stays small). */
const MAX_FLASH = 300;

/**
 * `req.flash(text)`: a change's route says what happened before it redirects, and the message waits
 * in the server-side session. One method on the app's request prototype (`app.request`), not a
 * closure made for every request: V8's scavenger keeps a function stored on an object per request,
 * and the session and request it closes over, until the next full collection.
 */
export function flashMethod(session: SessionAccess): (this: Request, text: string, kind?: FlashKind) => void {
  return function flash(this: Request, text: string, kind: FlashKind = 'ok') {
    const s = session(this);
    if (s && this.user) s.flash = { kind, text: text.slice(0, MAX_FLASH) };
  };
}

/**
 * Flash messages: the next page shown takes the waiting message once (the layout announces it to
 * screen readers). Only a signed-in session carries one; JSON answers leave it.
 */
export function flashMessages(session: SessionAccess): RequestHandler {
  return function flashMiddleware(req, res, next) {
    const s = session(req);
    const waiting = s?.flash as Flash | undefined;
    if (waiting && req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
      res.locals.flash = waiting;
      delete s!.flash;
    } else {
      res.locals.flash = null;
    }
    next();
  };
}
