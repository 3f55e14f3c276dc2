import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config/config.js';
import type { AuditService } from '../audit/service.js';
import type { LimiterStores } from './limiter-stores.js';
import { HttpError } from '../http/errors.js';

/**
 * Per-IP limits on the sign-in endpoints and on every POST. The client IP is Express's req.ip,
 * which honours X-Forwarded-For only as far as TRUST_PROXY allows, so a spoofed header cannot
 * reset the count. Counters live where `stores` says: Redis, PostgreSQL, the cluster's primary,
 * or (one SQLite process only) this process's memory.
 */
/** One password-reset email per user per five minutes (each sends a real email). */
const PASSWORD_RESET_WINDOW_MS = 5 * 60_000;

export function createRateLimits(limits: Config['rateLimit'], audit: AuditService, stores?: LimiterStores): { auth: RequestHandler; posts: RequestHandler; passwordReset: RequestHandler } {
  const make = (name: string, limit: number): RequestHandler =>
    rateLimit({
      windowMs: limits.windowSeconds * 1000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: name,
      ...(stores ? { store: stores(name) } : {}),
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
  const passwordReset = rateLimit({
    windowMs: PASSWORD_RESET_WINDOW_MS,
    limit: 1,
    // Per signed-in user (the route requires one), not per IP: a shared network is not one person.
    keyGenerator: (req) => `user:${req.user?.sub ?? ''}`,
    // A request the provider refused sent no email, so it does not count.
    skipFailedRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'password-reset',
    ...(stores ? { store: stores('password-reset') } : {}),
    validate: { xForwardedForHeader: false },
    handler: async (req, _res, next) => {
      await audit.recordRefused(req, 'rate.limited', { limiter: 'password-reset', path: req.path });
      next(new HttpError(429, 'A reset link was sent to you less than 5 minutes ago. Check your inbox (and spam folder), or ask again in a few minutes.'));
    },
  });
  // Named wrappers: the library's middleware is an anonymous function in profiles.
  return {
    auth: function authRateLimit(req, res, next) {
      return auth(req, res, next);
    },
    passwordReset: function passwordResetRateLimit(req, res, next) {
      return passwordReset(req, res, next);
    },
    posts: function postRateLimit(req, res, next) {
      if (req.method === 'POST') return post(req, res, next);
      next();
    },
  };
}
