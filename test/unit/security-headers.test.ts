import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { afterEach, describe, expect, it } from 'vitest';
import { helmetOnce, responseLocals, securityHeaders } from '../../src/security/headers.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** The headers of one response from an app with these layers, and the nonce its view defaults got. */
async function headersFrom(layers: RequestHandler[]): Promise<{ headers: Record<string, string>; nonce: string }> {
  const app = express();
  app.disable('x-powered-by');
  let nonce = '';
  app.use(...layers, (_req, res) => {
    nonce = res.locals.cspNonce as string;
    res.end('ok');
  });
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value;
  });
  return { headers, nonce };
}

describe('security headers decided by helmet once', () => {
  const nonceDirective = (_req: unknown, res: unknown) => `'nonce-${(res as { locals: { cspNonce: string } }).locals.cspNonce}'`;

  it('sends exactly the headers helmet sends per request, with this response nonce in the CSP', async () => {
    const configured = helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"], scriptSrc: [nonceDirective, "'strict-dynamic'"], formAction: ["'self'", 'https://id.example'] } } });
    const { headers, removed, csp } = helmetOnce(configured);
    const once: RequestHandler = (_req, res, next) => {
      for (const name of removed) res.removeHeader(name);
      for (const [name, value] of headers) res.setHeader(name, value);
      res.setHeader('content-security-policy', csp.before + (res.locals.cspNonce as string) + csp.after);
      next();
    };
    const perRequest = await headersFrom([responseLocals, configured]);
    const captured = await headersFrom([responseLocals, once]);
    expect(captured.nonce).not.toBe(perRequest.nonce);
    // The same headers and values; the CSP differs only by each response's own nonce.
    const swap = (h: Record<string, string>, nonce: string) => ({ ...h, 'content-security-policy': h['content-security-policy']!.replace(nonce, 'NONCE') });
    expect(swap(captured.headers, captured.nonce)).toEqual(swap(perRequest.headers, perRequest.nonce));
    expect(captured.headers['content-security-policy']).toContain(`script-src 'nonce-${captured.nonce}' 'strict-dynamic'`);
    expect(Object.keys(captured.headers).length).toBeGreaterThan(10);
  });

  it("gives every response the app's headers, and a CSP with its own nonce", async () => {
    const layers = [responseLocals, securityHeaders({ issuerOrigin: 'https://tenant.example', hsts: true })];
    const [a, b] = await Promise.all([headersFrom(layers), headersFrom(layers)]);
    expect(a.nonce).not.toBe(b.nonce);
    for (const r of [a, b]) {
      expect(r.headers['content-security-policy']).toContain(`script-src 'nonce-${r.nonce}' 'strict-dynamic'`);
      expect(r.headers['content-security-policy']).toContain("form-action 'self' https://tenant.example");
      expect(r.headers['content-security-policy']).toContain('upgrade-insecure-requests');
      expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('same-origin');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    const plain = await headersFrom([responseLocals, securityHeaders({ issuerOrigin: 'http://localhost:4000', hsts: false })]);
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect(plain.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('refuses, at startup, a middleware whose CSP does not carry the nonce once', () => {
    const noNonce = helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"] } } });
    expect(() => helmetOnce(noNonce)).toThrow(/src\/security\/headers\.ts/);
    const later: RequestHandler = (_req, res, next) => void setImmediate(() => {
      res.setHeader('Content-Security-Policy', "script-src 'nonce-x'");
      next();
    });
    expect(() => helmetOnce(later)).toThrow(/synchronously/);
  });
});

describe('CSP nonces', () => {
  it('are 16 random bytes each, never repeated, across refills of their pool', async () => {
    const { nextNonce } = await import('../../src/security/headers.js');
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const nonce = nextNonce();
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      seen.add(nonce);
    }
    expect(seen.size).toBe(1000);
  });
});
