import type { Request, RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';
import { wantsHtml } from '../http/negotiation.js';
import { safeReturnTo } from './return-to.js';

/**
 * Lets signed-in requests through. Anonymous page requests (GET/HEAD from a browser) go to the
 * login page with a returnTo of where they were going; anything else gets a 401, as JSON
 * unless the client asked for HTML.
 */
export const requiresAuth: RequestHandler = (req, res, next) => {
  if (req.user) {
    next();
    return;
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && wantsHtml(req)) {
    res.redirect(302, loginUrlFor(req));
    return;
  }
  next(new HttpError(401, 'Please sign in to continue.'));
};

export function loginUrlFor(req: Request): string {
  return `/login?returnTo=${encodeURIComponent(safeReturnTo(req.originalUrl))}`;
}
