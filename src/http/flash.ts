import type { RequestHandler } from 'express';
import type { SessionAccess } from '../sessions/access.js';

export type FlashKind = 'ok' | 'error';
export interface Flash {
  kind: FlashKind;
  text: string;
}

/** Longest message kept: a sentence, not a document (the session row stays small). */
const MAX_FLASH = 300;

/**
 * Flash messages: a change's route says what happened (`req.flash('Saved.')`) before it redirects;
 * the message waits in the server-side session and the next page shown takes it once (the layout
 * announces it to screen readers). Only a signed-in session carries one; JSON answers leave it.
 */
export function flashMessages(session: SessionAccess): RequestHandler {
  return function flashMiddleware(req, res, next) {
    const s = session(req);
    req.flash = (text, kind = 'ok') => {
      if (s && req.user) s.flash = { kind, text: text.slice(0, MAX_FLASH) };
    };
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
