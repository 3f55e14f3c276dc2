import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { pooledRandomBytes } from '../lib/random.js';

/**
 * Security headers on every response, static files included. The CSP allows scripts only with
 * this response's nonce (set by responseLocals, before it), and lets forms (and the redirects
 * that follow them) reach the identity provider, which login and logout need.
 *
 * helmet decides every header and its value. What it sets is the same on every response but for
 * the CSP's nonce, so its middleware runs once, at startup, against a response that records what
 * it is given (the nonce a marker), and each request then sets those headers and the CSP with its
 * own nonce spliced in: one layer, not helmet's thirteen, and no CSP assembled per request.
 */
export function securityHeaders(opts: { issuerOrigin: string; hsts: boolean }): RequestHandler {
  const configured = helmet({
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
  const { headers, removed, csp } = helmetOnce(configured);
  return function securityHeadersMiddleware(_req, res, next) {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of headers) res.setHeader(name, value);
    res.setHeader('content-security-policy', csp.before + (res.locals.cspNonce as string) + csp.after);
    next();
  };
}

/** What a helmet middleware does to a response, with the CSP split where the nonce goes. Throws if that is not plain header setting. */
export function helmetOnce(middleware: RequestHandler): { headers: Array<[string, string]>; removed: string[]; csp: { before: string; after: string } } {
  const marker = `nonce-marker-${crypto.randomBytes(12).toString('hex')}`;
  const headers = new Map<string, string>();
  const removed: string[] = [];
  const recorder = {
    locals: { cspNonce: marker },
    setHeader(name: string, value: unknown) {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a non-string value`);
      headers.set(name, value);
    },
    removeHeader(name: string) {
      removed.push(name);
      headers.delete(name);
    },
  };
  let called = false;
  middleware({} as Parameters<RequestHandler>[0], recorder as unknown as Parameters<RequestHandler>[1], (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    called = true;
  });
  const policy = headers.get('Content-Security-Policy');
  const parts = policy?.split(marker);
  if (!called || parts?.length !== 2) {
    throw new Error("helmet no longer sets its headers synchronously, with the CSP nonce in one place: check src/security/headers.ts before upgrading it");
  }
  headers.delete('Content-Security-Policy');
  // Named in lower case, as Node keys a response's headers: a name with capitals is lowered again
  // on every setHeader, and the new string looked up in V8's string table (1% of a page's CPU).
  // Header names are case-insensitive (HTTP/2 sends them all in lower case).
  return {
    headers: [...headers].map(([name, value]) => [name.toLowerCase(), value] as [string, string]),
    removed: removed.map((name) => name.toLowerCase()),
    csp: { before: parts[0]!, after: parts[1]! },
  };
}

/** A CSP nonce: 16 random bytes, base64, from the shared pool (one call to the CSPRNG per 256 responses). */
export function nextNonce(): string {
  return pooledRandomBytes(16).toString('base64');
}

/**
 * Before anything can fail: this response's CSP nonce (the scripts of its page carry it) and the
 * defaults every view relies on, error pages included.
 */
export const responseLocals: RequestHandler = function responseLocals(req, res, next) {
  res.locals.cspNonce = nextNonce();
  res.locals.user = null;
  res.locals.csrfToken = null;
  res.locals.currentPath = req.path;
  res.locals.flash = null;
  next();
};
