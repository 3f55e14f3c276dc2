import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logging/logger.js';

declare global {
  namespace Express {
    interface Request {
      /** This request's id, also sent as X-Request-Id. */
      id?: string;
      /** This request's own logger, made on first use by requestLogger(). */
      log?: Logger;
    }
  }
}

/**
 * A logger whose lines carry the request's id (and the user's sub once known), made on first use:
 * most requests log nothing but their completion line. A plain property, not an accessor defined
 * on each request, which would put the request object in V8's slow dictionary mode.
 */
export function requestLogger(req: Express.Request, logger: Logger): Logger {
  if (req.log) return req.log;
  if (req.id === undefined) return logger;
  return (req.log = logger.child(req.user ? { reqId: req.id, userSub: req.user.sub } : { reqId: req.id }));
}

/**
 * One log line per request with a request id. Only the method and path are logged: query
 * strings carry authorization codes and state on /callback, and headers carry cookies.
 *
 * Written by hand rather than with pino-http because this runs on every request: it builds no
 * per-request child logger unless something logs during the request (most requests only log the
 * completion line), and serializes a handful of fields instead of the whole request.
 */
export function requestLogging(logger: Logger): RequestHandler {
  // The completion line has a fixed shape of fields that carry no credential (ids, method, path
  // without its query, status, time), so it skips the redaction pass, which took three times as
  // long as writing the line (16 of 24 µs). Everything else logged goes through `logger`, redacted.
  const lines = logger.child({}, { redact: [] });
  return function requestLog(req, res, next) {
    const id = crypto.randomUUID();
    const started = performance.now();
    res.setHeader('x-request-id', id);
    req.id = id;
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const fields = {
        reqId: id,
        ...(req.user ? { userSub: req.user.sub } : {}),
        req: { id, method: req.method, path: req.originalUrl.split('?')[0] },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - started),
      };
      if (!res.writableFinished) lines.warn(fields, 'request aborted');
      else if (res.statusCode >= 500) lines.error(fields, 'request errored');
      else lines.info(fields, 'request completed');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
