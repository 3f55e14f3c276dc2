import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { systemClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { resolveSecrets } from '../../src/config/dev-secrets.js';
import { openSqlite } from '../../src/db/database.js';
import { createLogger } from '../../src/logging/logger.js';
import { appPaths } from '../../src/paths.js';
import { DatabaseSessionStore } from '../../src/sessions/database-store.js';

/** The app's own layers, in order, by name (Express 5's router stack). */
async function layerNames(): Promise<string[]> {
  const issuer = 'https://example.auth0.com/';
  const config = resolveSecrets(
    loadConfig({ NODE_ENV: 'test', PORT: '3000', BASE_URL: 'http://localhost:3000', DATA_DIR: '/nonexistent', APP_SECRET_KEY: 'test-secret-that-is-long-enough-for-the-rule-0123456789', AUTH0_ISSUER_BASE_URL: issuer, AUTH0_CLIENT_ID: 'client', AUTH0_CLIENT_SECRET: 'a-client-secret-long-enough-0123456789' }),
  );
  const database = openSqlite(':memory:');
  try {
    const app = createApp({ config, issuerBaseUrl: issuer, db: database.db, sessionStore: new DatabaseSessionStore(database.db, { defaultTtlMs: 60_000 }), logger: createLogger('silent'), paths: appPaths(), clock: systemClock });
    return (app as unknown as { router: { stack: Array<{ name: string }> } }).router.stack.map((l) => l.name);
  } finally {
    await database.close();
  }
}

describe('the request chain', () => {
  it('names every app-level layer, so profiles and stack traces show what runs', async () => {
    const names = await layerNames();
    expect(names.filter((n) => !n || n === '<anonymous>' || n === 'anonymous')).toEqual([]);
  });

  it('runs the security layers in the documented order', async () => {
    const names = await layerNames();
    const at = (n: string) => {
      const i = names.indexOf(n);
      expect(i, `${n} is mounted`).toBeGreaterThanOrEqual(0);
      return i;
    };
    // Logging and headers first; static files before any session; limits before body parsing;
    // the session before the user; cross-site and CSRF checks before any feature; errors last.
    const order = ['requestLog', 'responseLocals', 'securityHeadersMiddleware', 'staticFiles', 'authRateLimit', 'postRateLimit', 'bodies', 'appSession', 'oidcContext', 'sessionStoreCheck', 'currentUserMiddleware', 'crossSiteCheck', 'csrfProtection', 'flashMiddleware', 'notFoundHandler', 'errorPage'];
    const positions = order.map(at);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(names.at(-1)).toBe('errorPage');
  });

  it('keeps the layers every request passes through before the features to 23 (28 before they were folded)', async () => {
    const names = await layerNames();
    expect(names.indexOf('flashMiddleware') + 1).toBeLessThanOrEqual(23);
  });
});

describe('express-openid-connect mounted directly', () => {
  const libraryAuth = async () => {
    const { auth } = (await import('express-openid-connect')).default;
    return auth({
      issuerBaseURL: 'https://idp.example.com',
      baseURL: 'https://app.example.com',
      clientID: 'client',
      secret: 'a secret of at least thirty-two characters',
      authRequired: false,
      routes: { login: false, logout: false, callback: false },
    });
  };

  it('stops at startup, naming the file to check, when the library router changes shape', async () => {
    const { oidcMiddleware } = await import('../../src/auth/oidc-middleware.js');
    const express = (await import('express')).default;
    const changed = express.Router();
    changed.use((_req, _res, next) => next());
    changed.get('/login', (_req, res) => res.end());
    changed.use((_req, _res, next) => next());
    expect(() => oidcMiddleware(changed)).toThrow(/src\/auth\/oidc-middleware\.ts/);
    expect(oidcMiddleware(await libraryAuth()).name).toBe('oidcContext');
  });

  it('stops at startup when the library no longer keeps each request context where the release finds it', async () => {
    const { oidcMiddleware } = await import('../../src/auth/oidc-middleware.js');
    const express = (await import('express')).default;
    const elsewhere = express.Router();
    elsewhere.use((_req, _res, next) => next());
    elsewhere.use(function context(req, res, next) {
      Object.assign(req, { oidc: { req } });
      Object.assign(res, { oidc: { res } });
      next();
    });
    expect(() => oidcMiddleware(elsewhere)).toThrow(/lib\/weakCache\.js[\s\S]*src\/auth\/oidc-middleware\.ts/);
  });

  it("drops a finished response's request, response and next from the library's contexts, and keeps them until then", async () => {
    const { oidcMiddleware } = await import('../../src/auth/oidc-middleware.js');
    const { EventEmitter } = await import('node:events');
    const { createRequire } = await import('node:module');
    const contextState = createRequire(import.meta.url)('express-openid-connect/lib/weakCache.js') as (c: object) => Record<string, unknown>;
    const context = oidcMiddleware(await libraryAuth());
    const session = { id_token: 'token' };
    const req = Object.assign(new EventEmitter(), { method: 'GET', url: '/', headers: {}, appSession: session }) as unknown as Request & { oidc: object; appSession?: object };
    const res = Object.assign(new EventEmitter(), { req }) as unknown as Response & { oidc: object };
    const next = () => {};
    context!(req, res, next);
    expect(contextState(req.oidc)).toMatchObject({ req, res, next });
    expect(contextState(res.oidc)).toMatchObject({ req, res });
    expect(req.appSession).toBe(session);
    (res as unknown as { emit(event: string): boolean }).emit('finish');
    for (const kept of [contextState(req.oidc), contextState(res.oidc)]) {
      expect([kept.req, kept.res, kept.next]).toEqual([undefined, undefined, undefined]);
      expect(kept.config).toBeDefined();
    }
  });
});
