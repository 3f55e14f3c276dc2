import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** What a mount in the table holds: a router, or several in the order Express tries them. */
export type Mounted = RequestHandler | readonly RequestHandler[];

const SEGMENT = /^\/[a-z0-9][a-z0-9-]*$/;

/**
 * Routers mounted each under its own first path segment (`/dashboard`, `/transactions`, …) and
 * found with one lookup. Mounted one by one with `app.use`, a request for the last of them was
 * matched against every mount before it, each match running path-to-regexp and the router's
 * bookkeeping: `/profile` went through seventeen.
 *
 * Each entry is still an Express mount of its own (`baseUrl`, the stripped path, its routers
 * tried in order, `next()` out of it going on to what follows the table), so a feature's router
 * cannot tell the difference. Express matches mount paths without regard to case, and so does
 * the lookup. A request whose first segment is not in the table goes straight on.
 */
export function segmentMounts(table: Readonly<Record<string, Mounted>>): RequestHandler {
  const routers = new Map<string, RequestHandler>();
  for (const [mount, handlers] of Object.entries(table)) {
    if (!SEGMENT.test(mount)) throw new Error(`segmentMounts: "${mount}" is not a single lower-case path segment such as "/dashboard"`);
    const router = express.Router();
    router.use(mount, ...(Array.isArray(handlers) ? handlers : [handlers as RequestHandler]));
    routers.set(mount.slice(1), router);
  }
  function segmentMount(req: Request, res: Response, next: NextFunction): void {
    const path = req.path;
    const end = path.indexOf('/', 1);
    const router = routers.get((end === -1 ? path.slice(1) : path.slice(1, end)).toLowerCase());
    if (router === undefined) return next();
    router(req, res, next);
  }
  // What is mounted, for the test that walks every router for unnamed handlers.
  return Object.defineProperty(segmentMount, 'mounts', { value: [...routers.values()], enumerable: false });
}

/**
 * A router that answers only a few exact paths (the health checks, the login callback, the
 * back-channel logout), entered only for those: mounted at the root, every request walked into
 * it and out again (the router's bookkeeping and a match per route) on its way to the features.
 * Express matches route paths without regard to case and with or without one trailing slash;
 * so does the gate, and the router still matches the path and method itself.
 */
export function onlyAt(paths: readonly string[], router: RequestHandler): RequestHandler {
  const exact = new Set(paths.map((path) => path.toLowerCase()));
  function exactPathGate(req: Request, res: Response, next: NextFunction): void {
    const path = req.path;
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (exact.has(trimmed.toLowerCase())) router(req, res, next);
    else next();
  }
  return Object.defineProperty(exactPathGate, 'mounts', { value: [router], enumerable: false });
}
