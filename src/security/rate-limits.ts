import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config/config.js';
import type { AuditService } from '../features/audit/service.js';
import { HttpError } from '../http/errors.js';

/**
 * Per-IP limits on the sign-in endpoints and on every POST. The client IP is Express's req.ip,
 * which honours X-Forwarded-For only as far as TRUST_PROXY allows, so a spoofed header cannot
 * reset the count. Counters live in memory: several instances need a shared store (e.g. Redis).
 */
export function createRateLimits(limits: Config['rateLimit'], audit: AuditService): { auth: RequestHandler; posts: RequestHandler } {
  const make = (name: string, limit: number): RequestHandler =>
    rateLimit({
      windowMs: limits.windowSeconds * 1000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: name,
      // Clients may send X-Forwarded-For; without a trusted proxy it is ignored on purpose, so the
      // library's warning about it would only let any client write to our error log.
      validate: { xForwardedForHeader: false },
      handler: async (req, _res, next) => {
        await audit.recordRefused(req, 'rate.limited', { limiter: name, path: req.path });
        next(new HttpError(429, 'Too many requests. Please wait a minute and try again.'));
      },
    });
  const auth = make('auth', limits.authMax);
  const post = make('post', limits.postMax);
  return {
    auth,
    posts: (req, res, next) => (req.method === 'POST' ? post(req, res, next) : next()),
  };
}
