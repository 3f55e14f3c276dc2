import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** The app as createApp builds it, on an in-memory database; `views` in place of the app's own. */
async function withApp<T>(use: (app: ReturnType<typeof createApp>) => Promise<T> | T, views?: string): Promise<T> {
  const issuer = 'https://example.auth0.com/';
  const config = resolveSecrets(
    loadConfig({ NODE_ENV: 'test', PORT: '3000', BASE_URL: 'http://localhost:3000', DATA_DIR: '/nonexistent', APP_SECRET_KEY: 'test-secret-that-is-long-enough-for-the-rule-0123456789', AUTH0_ISSUER_BASE_URL: issuer, AUTH0_CLIENT_ID: 'client', AUTH0_CLIENT_SECRET: 'a-client-secret-long-enough-0123456789' }),
  );
  const database = openSqlite(':memory:');
  try {
    const paths = { ...appPaths(), ...(views ? { views } : {}) };
    return await use(createApp({ config, issuerBaseUrl: issuer, db: database.db, sessionStore: new DatabaseSessionStore(database.db, { defaultTtlMs: 60_000 }), logger: createLogger('silent'), paths, clock: systemClock }));
  } finally {
    await database.close();
  }
}

/** The app's own layers, in order, by name (Express 5's router stack). */
function layerNames(): Promise<string[]> {
  return withApp((app) => (app as unknown as { router: { stack: Array<{ name: string }> } }).router.stack.map((l) => l.name));
}

describe('views', () => {
  it("render with locals that inherit nothing, in the page and in its includes, and leave the caller's locals as they were", async () => {
    const views = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-views-'));
    // A bare name falls through to the global object, which inherits Object.prototype anyway; `locals.…` does not.
    const probe = '<%= typeof locals.toString %>|<%= typeof locals.hasOwnProperty %>|<%= typeof locals.constructor %>|<%= mark %>';
    fs.writeFileSync(path.join(views, 'page.ejs'), `${probe} <%- include('/part', { extra: 'x' }) %>`);
    fs.writeFileSync(path.join(views, 'part.ejs'), `${probe}|<%= extra %>`);
    try {
      const locals = { mark: 'm' };
      const html = await withApp((app) => new Promise<string>((resolve, reject) => app.render('page', locals, (err, out) => (err ? reject(err) : resolve(out!)))), views);
      expect(html).toBe('undefined|undefined|undefined|m undefined|undefined|undefined|m|x');
      expect(locals).toEqual({ mark: 'm' });
    } finally {
      fs.rmSync(views, { recursive: true, force: true });
    }
  });
});

describe('the request chain', () => {
  it('names every app-level layer, so profiles and stack traces show what runs', async () => {
    const names = await layerNames();
    expect(names.filter((n) => !n || n === '<anonymous>' || n === 'anonymous')).toEqual([]);
  });

  it('names every handler in every router, route and feature mount, so no profile shows an anonymous one', async () => {
    interface Layer {
      name?: string;
      handle: ((...args: unknown[]) => unknown) & { stack?: Layer[]; mounts?: Array<{ stack: Layer[] }> };
      route?: { path: string; stack: Layer[] };
    }
    const unnamed: string[] = [];
    let handlers = 0;
    const walk = (stack: Layer[], where: string) => {
      for (const layer of stack) {
        const name = layer.handle.name;
        handlers++;
        if (!name || name === 'anonymous' || name === '<anonymous>') unnamed.push(`${where} ${layer.route?.path ?? ''}: ${String(layer.handle).slice(0, 60)}`);
        if (layer.route) walk(layer.route.stack, `${where} ${layer.route.path}`);
        if (layer.handle.stack) walk(layer.handle.stack, `${where} > ${name}`);
        for (const router of layer.handle.mounts ?? []) walk(router.stack, `${where} > ${name}`);
      }
    };
    await withApp((app) => walk((app as unknown as { router: { stack: Layer[] } }).router.stack, 'app'));
    expect(unnamed).toEqual([]);
    expect(handlers).toBeGreaterThan(150);
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
    const order = ['requestLog', 'responseLocals', 'securityHeadersMiddleware', 'staticFiles', 'authRateLimit', 'postRateLimit', 'bodies', 'appSession', 'sessionStoreCheck', 'currentUserMiddleware', 'crossSiteCheck', 'csrfProtection', 'flashMiddleware', 'notFoundHandler', 'errorPage'];
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

  /** Stand-ins for an app's request and response prototypes (responses are event emitters, like node:http's). */
  const prototypes = async () => ({ request: {}, response: Object.create((await import('node:events')).EventEmitter.prototype) as object });

  it('stops at startup, naming the file to check, when the library router changes shape', async () => {
    const { oidcContexts } = await import('../../src/auth/oidc-middleware.js');
    const express = (await import('express')).default;
    const changed = express.Router();
    changed.use((_req, _res, next) => next());
    changed.get('/login', (_req, res) => res.end());
    changed.use((_req, _res, next) => next());
    expect(() => oidcContexts(changed, { request: {}, response: {} })).toThrow(/src\/auth\/oidc-middleware\.ts/);
    const library = await libraryAuth();
    expect(() => oidcContexts(library, { request: {}, response: {} })).not.toThrow();
  });

  it('stops at startup when the library no longer keeps each request context where the release finds it', async () => {
    const { oidcContexts } = await import('../../src/auth/oidc-middleware.js');
    const express = (await import('express')).default;
    const elsewhere = express.Router();
    elsewhere.use((_req, _res, next) => next());
    elsewhere.use(function context(req, res, next) {
      Object.assign(req, { oidc: { req } });
      Object.assign(res, { oidc: { res } });
      next();
    });
    expect(() => oidcContexts(elsewhere, { request: {}, response: {} })).toThrow(/lib\/weakCache\.js[\s\S]*src\/auth\/oidc-middleware\.ts/);
  });

  it("makes a request's contexts only when one is read, sends their errors to the router's next, and drops request, response and next when the response finishes", async () => {
    const { oidcContexts } = await import('../../src/auth/oidc-middleware.js');
    const { EventEmitter } = await import('node:events');
    const { createRequire } = await import('node:module');
    const contextState = createRequire(import.meta.url)('express-openid-connect/lib/weakCache.js') as (c: object) => Record<string, unknown>;
    const protos = await prototypes();
    oidcContexts(await libraryAuth(), protos);
    const errors: unknown[] = [];
    const req = Object.assign(Object.create(protos.request) as object, { method: 'GET', url: '/', headers: {}, next: (err?: unknown) => errors.push(err) }) as unknown as Request;
    const res = Object.create(protos.response) as Response;
    EventEmitter.call(res as unknown as InstanceType<typeof EventEmitter>);
    Object.assign(req, { res });
    Object.assign(res, { req });
    expect([Object.hasOwn(req, 'oidc'), Object.hasOwn(res, 'oidc')]).toEqual([false, false]);

    const responseContext = res.oidc;
    expect(Object.hasOwn(req, 'oidc') && Object.hasOwn(res, 'oidc')).toBe(true);
    expect(res.oidc).toBe(responseContext);
    expect(contextState(req.oidc)).toMatchObject({ req, res });
    expect(contextState(res.oidc)).toMatchObject({ req, res });
    expect(errors).toEqual([]); // the middleware's own next() while the contexts are made is not passed on
    const failure = new Error('the provider is down');
    (contextState(res.oidc).next as (err: unknown) => void)(failure);
    expect(errors).toEqual([failure]);

    (res as unknown as { emit(event: string): boolean }).emit('finish');
    for (const kept of [contextState(req.oidc), contextState(res.oidc)]) {
      expect([kept.req, kept.res, kept.next]).toEqual([undefined, undefined, undefined]);
      expect(kept.config).toBeDefined();
    }
  });
});
