import type { RequestHandler } from 'express';
import type { AuditService } from '../audit/service.js';
import { HttpError } from '../http/errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A second CSRF line next to the tokens: an unsafe request that the browser says comes from
 * another site (Fetch Metadata), or that carries a foreign Origin, is refused outright.
 */
export function rejectCrossSite(baseUrl: string, audit: AuditService): RequestHandler {
  const origin = new URL(baseUrl).origin;
  return async function crossSiteCheck(req, _res, next) {
    if (SAFE.has(req.method)) return next();
    const site = req.get('sec-fetch-site');
    const from = req.get('origin');
    const crossSite = (site !== undefined && site !== 'same-origin' && site !== 'none') || (from !== undefined && from !== origin);
    if (!crossSite) return next();
    await audit.recordRefused(req, 'csrf.failure', { reason: 'cross-site', secFetchSite: site ?? null, origin: from?.slice(0, 100) ?? null });
    next(new HttpError(403, 'This request came from another site and was refused.'));
  };
}
