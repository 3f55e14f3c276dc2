import { createRequire } from 'node:module';
import type { RequestHandler, Response, Router } from 'express';

interface LayerShape {
  handle?: unknown;
  route?: unknown;
  slash?: unknown;
}

/**
 * Where express-openid-connect keeps what each `req.oidc` and `res.oidc` works on: a WeakMap from
 * the context to `{ config, req, res, next }` (lib/weakCache.js). The package has no `exports` map,
 * so the file can be named; `checkContextState` below stops the app when it no longer does this.
 */
const contextState = createRequire(import.meta.url)('express-openid-connect/lib/weakCache.js') as (context: object) => Record<string, unknown>;

/** What a context holds of one request: the rest (`config`, the transient-cookie handler) is shared by all. */
const PER_REQUEST = ['req', 'res', 'next'] as const;

const BROKEN_SHAPE =
  "express-openid-connect's auth() no longer has the shape this app mounts directly (two path-less middleware, no routes, " +
  'each request context kept in lib/weakCache.js). Check src/auth/oidc-middleware.ts against the installed library before upgrading.';

/**
 * Lets a finished request's objects die young. V8's scavenger keeps alive, until the next full
 * collection, every WeakMap value whatever becomes of its key, with everything it reaches. The
 * library's contexts (`req.oidc`, `res.oidc`) are WeakMap keys whose values hold the request, the
 * response and `next`, and each request holds its context; so every request's whole object graph
 * (headers, session, rendered page) was copied out of the young generation into old space, and
 * each full collection then stalled the requests in flight. That was the benchmark's p99.
 *
 * Once the response is sent nothing of the library runs for the request again (its routes end by
 * redirecting, and the session was saved before the response ended), so the contexts' request,
 * response and `next` are dropped. One function per app, called with the response as `this`, so
 * no closure is made per request.
 */
function releaseOidcRequest(this: Response): void {
  for (const context of [this.req.oidc, this.oidc] as unknown[]) {
    if (typeof context !== 'object' || context === null) continue;
    const state = contextState(context);
    for (const key of PER_REQUEST) state[key] = undefined;
  }
}

/**
 * The startup check for `contextReleaser`: a context made for a stand-in request must be found
 * in the library's cache, holding that request, its response and its `next`. Fails loudly, naming
 * this file, if the library keeps them elsewhere (the release would then do nothing).
 */
function checkContextState(context: RequestHandler): void {
  const req = { method: 'GET', url: '/', headers: {} } as unknown as Parameters<RequestHandler>[0];
  const res = {} as unknown as Parameters<RequestHandler>[1];
  const next = () => {};
  const made = context(req, res, next) as unknown;
  if (made instanceof Promise) made.catch(() => {});
  const kept = (ctx: unknown) => (typeof ctx === 'object' && ctx !== null ? contextState(ctx) : {});
  const request = kept((req as { oidc?: unknown }).oidc);
  const response = kept((res as { oidc?: unknown }).oidc);
  if (request.req !== req || request.res !== res || request.next !== next || response.req !== req || response.res !== res) {
    throw new Error(BROKEN_SHAPE);
  }
}

/**
 * express-openid-connect's `auth()` is an Express Router around two middleware: the session, then
 * the request context (`req.oidc`, `res.oidc`). The app mounts only the context, directly: its own
 * session layer (sessions/session-layer.ts) replaces the library's, and a Router whose last layer
 * calls `next()` hands the request back to its parent through `setImmediate`, so every request
 * behind it waited a whole event-loop turn behind everyone else's work (measured: 4,791 of 4,800
 * requests spanned one turn; at 50 connections a turn is about 100 ms).
 *
 * This reads the router's internals (its `stack` of layers and their `handle`) and the library's
 * context cache, so it checks their shape and stops the app at startup, loudly, when the library
 * or the router changes: two layers that run for every path, no routes (ours replace the
 * library's login, logout and callback), and contexts kept as `releaseOidcRequest` expects.
 */
export function oidcMiddleware(router: RequestHandler | Router): RequestHandler {
  const stack = (router as unknown as { stack?: LayerShape[] }).stack;
  const fits = Array.isArray(stack) && stack.length === 2 && stack.every((l) => typeof l.handle === 'function' && l.route === undefined && l.slash === true);
  if (!fits) throw new Error(BROKEN_SHAPE);
  const context = stack[1]!.handle as RequestHandler;
  checkContextState(context);
  return function oidcContext(req, res, next) {
    res.on('finish', releaseOidcRequest);
    return context(req, res, next);
  };
}
