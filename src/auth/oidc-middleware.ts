import { createRequire } from 'node:module';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';

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
const ownContext = (target: object): unknown => (Object.hasOwn(target, 'oidc') ? (target as { oidc?: unknown }).oidc : undefined);

function releaseOidcRequest(this: Response): void {
  // Own properties only: reading through the prototype's accessor would make new contexts.
  for (const context of [ownContext(this.req), ownContext(this)]) {
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

/** What this module needs of an Express app: the prototypes of its requests and responses. */
export interface AppPrototypes {
  request: object;
  response: object;
}

/**
 * express-openid-connect's `auth()` is an Express Router around two middleware: the session, then
 * the request context (`req.oidc`, `res.oidc`). The app mounts neither: its own session layer
 * (sessions/session-layer.ts) replaces the library's, and the contexts are made when a request
 * first reads `req.oidc` or `res.oidc`, which only sign-in, sign-out, the callback, a step-up and
 * a first decode of an ID token do. Every other request made two contexts, two WeakMap entries, an
 * async call and a `finish` listener for nothing.
 *
 * `oidc` is an accessor on the app's request and response prototypes. Its getter runs the
 * library's own context middleware for this request and response (which assigns `req.oidc` and
 * `res.oidc`; the setter makes each an own property of the object) and registers the release. The
 * contexts report errors to the `next` they were made with: here that is the router's `req.next`
 * at the time of the error (the middleware's own call of `next()` while it is being made is not
 * passed on).
 *
 * This reads the router's internals (its `stack` of layers and their `handle`) and the library's
 * context cache, so it checks their shape and stops the app at startup, loudly, when the library
 * or the router changes: two layers that run for every path, no routes (ours replace the
 * library's login, logout and callback), and contexts kept as `releaseOidcRequest` expects.
 */
export function oidcContexts(router: RequestHandler | Router, app: AppPrototypes): void {
  const stack = (router as unknown as { stack?: LayerShape[] }).stack;
  const fits = Array.isArray(stack) && stack.length === 2 && stack.every((l) => typeof l.handle === 'function' && l.route === undefined && l.slash === true);
  if (!fits) throw new Error(BROKEN_SHAPE);
  const context = stack[1]!.handle as RequestHandler;
  checkContextState(context);

  function makeContexts(req: Request, res: Response): void {
    let made = false;
    const forward = (err?: unknown) => {
      if (made) (req.next as NextFunction)(err);
    };
    const running = context(req, res, forward) as unknown;
    if (running instanceof Promise) running.catch(forward);
    made = true;
    res.on('finish', releaseOidcRequest);
  }
  const own = (target: object, value: unknown) => Object.defineProperty(target, 'oidc', { value, writable: true, configurable: true, enumerable: true });
  Object.defineProperty(app.request, 'oidc', {
    configurable: true,
    get(this: Request) {
      makeContexts(this, this.res!);
      return ownContext(this);
    },
    set(this: Request, value: unknown) {
      own(this, value);
    },
  });
  Object.defineProperty(app.response, 'oidc', {
    configurable: true,
    get(this: Response) {
      makeContexts(this.req, this);
      return ownContext(this);
    },
    set(this: Response, value: unknown) {
      own(this, value);
    },
  });
}
