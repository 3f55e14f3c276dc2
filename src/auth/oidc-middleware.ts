import type { RequestHandler, Router } from 'express';

interface LayerShape {
  handle?: unknown;
  route?: unknown;
  slash?: unknown;
}

/**
 * express-openid-connect's `auth()` is an Express Router around two middleware: the session, then
 * the request context (`req.oidc`). A Router whose last layer calls `next()` hands the request
 * back to its parent through `setImmediate`, so every request behind it waited a whole event-loop
 * turn behind everyone else's work (measured: 4,791 of 4,800 requests spanned one turn; at 50
 * connections a turn is about 100 ms). Mounting the two middleware directly keeps a request in
 * one turn.
 *
 * This reads the router's internals (its `stack` of layers and their `handle`), so it checks their
 * shape and stops the app at startup, loudly, when the library or the router changes: two layers
 * that run for every path, no routes (ours replace the library's login, logout and callback).
 */
export function oidcMiddleware(router: RequestHandler | Router): RequestHandler[] {
  const stack = (router as unknown as { stack?: LayerShape[] }).stack;
  const fits = Array.isArray(stack) && stack.length === 2 && stack.every((l) => typeof l.handle === 'function' && l.route === undefined && l.slash === true);
  if (!fits) {
    throw new Error(
      "express-openid-connect's auth() router no longer has the shape this app mounts directly (two path-less middleware, no routes). " +
        'Check src/auth/oidc-middleware.ts against the installed library before upgrading.',
    );
  }
  const [session, context] = stack.map((l) => l.handle as RequestHandler) as [RequestHandler, RequestHandler];
  return [
    function oidcSession(req, res, next) {
      return session(req, res, next);
    },
    function oidcContext(req, res, next) {
      return context(req, res, next);
    },
  ];
}
