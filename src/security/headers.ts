import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every response, static files included. The CSP allows scripts only with
 * this response's nonce (set by responseLocals, before it), and lets forms (and the redirects
 * that follow them) reach the identity provider, which login and logout need.
 */
export function securityHeaders(opts: { issuerOrigin: string; hsts: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [(_req, res) => `'nonce-${(res as unknown as { locals: { cspNonce: string } }).locals.cspNonce}'`, "'strict-dynamic'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:', opts.issuerOrigin],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'", opts.issuerOrigin],
        upgradeInsecureRequests: opts.hsts ? [] : null,
      },
    },
    strictTransportSecurity: opts.hsts ? { maxAge: 31536000, includeSubDomains: true } : false,
    // same-origin, not no-referrer: with no-referrer, browsers send "Origin: null" on form posts,
    // which the cross-site check (rightly) refuses. Other sites still get no referrer at all.
    referrerPolicy: { policy: 'same-origin' },
    // Matches frame-ancestors 'none' for browsers that only know the older header.
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
}

/**
 * Before anything can fail: this response's CSP nonce (the scripts of its page carry it) and the
 * defaults every view relies on, error pages included.
 */
export const responseLocals: RequestHandler = function responseLocals(req, res, next) {
  res.locals.cspNonce = crypto.randomBytes(16).toString('base64');
  res.locals.user = null;
  res.locals.csrfToken = null;
  res.locals.currentPath = req.path;
  res.locals.flash = null;
  next();
};
