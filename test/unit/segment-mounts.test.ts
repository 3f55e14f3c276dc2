import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { onlyAt, segmentMounts, type Mounted } from '../../src/http/segment-mounts.js';

/** A router that answers what Express told it: where it is mounted and the path it sees. */
function echo(label: string): express.Router {
  const router = express.Router();
  router.get('/', function root(req, res) {
    res.json({ label, baseUrl: req.baseUrl, url: req.url, originalUrl: req.originalUrl });
  });
  router.get('/items/:id', function item(req, res) {
    res.json({ label, baseUrl: req.baseUrl, id: req.params.id });
  });
  router.get('/pass', function pass(_req, _res, next) {
    next();
  });
  return router;
}

function table(): Record<string, Mounted> {
  const guard: RequestHandler = function guard(req, res, next) {
    if (req.query.blocked === '1') return void res.status(403).json({ label: 'guard' });
    next();
  };
  return { '/dashboard': echo('dashboard'), '/transactions': [guard, echo('transactions')], '/account': echo('account'), '/accounts': echo('accounts') };
}

/** The same routers, mounted through the table or one `app.use` each; a catch-all after them. */
function appWith(kind: 'table' | 'plain'): express.Express {
  const app = express();
  if (kind === 'table') app.use(segmentMounts(table()));
  else for (const [mount, handlers] of Object.entries(table())) app.use(mount, ...[handlers].flat());
  app.use(function after(req, res) {
    res.status(404).json({ label: 'after', url: req.url });
  });
  return app;
}

const PATHS = [
  '/dashboard',
  '/dashboard/',
  '/dashboard?month=2026-12',
  '/DashBoard',
  '/dashboard/items/42',
  '/dashboard/items/a%20b',
  '/dashboard/pass',
  '/dashboard/unknown',
  '/dashboardx',
  '/dashboard.json',
  '/transactions/items/7',
  '/transactions/items/7?blocked=1',
  '/account',
  '/accounts',
  '/accounts/items/3',
  '/',
  '/login',
  '/%64ashboard',
  '//dashboard',
];

describe('routers mounted by their first path segment', () => {
  it('answer every path as the same routers mounted one by one with app.use do', async () => {
    const table = appWith('table');
    const plain = appWith('plain');
    for (const path of PATHS) {
      const [a, b] = await Promise.all([request(table).get(path), request(plain).get(path)]);
      expect({ path, status: a.status, body: a.body as unknown }).toEqual({ path, status: b.status, body: b.body as unknown });
    }
  });

  it('give each router its mount as baseUrl and the rest of the path as its url', async () => {
    const res = await request(appWith('table')).get('/dashboard/?month=2026-12');
    expect(res.body).toEqual({ label: 'dashboard', baseUrl: '/dashboard', url: '/?month=2026-12', originalUrl: '/dashboard/?month=2026-12' });
  });

  it('run a mount’s routers in order, and go on past the table when none answers', async () => {
    expect((await request(appWith('table')).get('/transactions/items/7?blocked=1')).body).toEqual({ label: 'guard' });
    expect((await request(appWith('table')).get('/transactions/pass')).body).toEqual({ label: 'after', url: '/transactions/pass' });
    expect((await request(appWith('table')).get('/budgets')).body).toEqual({ label: 'after', url: '/budgets' });
  });

  it('refuse a mount that is not one lower-case segment', () => {
    for (const mount of ['/', 'dashboard', '/Dashboard', '/a/b', '/a b', '/:id']) {
      expect(() => segmentMounts({ [mount]: echo('x') }), mount).toThrow(/single lower-case path segment/);
    }
  });
});

describe('a router entered only at its exact paths', () => {
  /** Health-style routes at the root, a catch-all after them. */
  function appWith(gated: boolean): express.Express {
    const router = express.Router();
    router.get('/healthz', function healthz(req, res) {
      res.json({ label: 'healthz', url: req.url });
    });
    router.post('/callback', function callback(_req, res) {
      res.json({ label: 'callback' });
    });
    const app = express();
    app.use(gated ? onlyAt(['/healthz', '/callback'], router) : router);
    app.use(function after(req, res) {
      res.status(404).json({ label: 'after', url: req.url });
    });
    return app;
  }

  it('answers every path and method as the same router mounted at the root does', async () => {
    const gated = appWith(true);
    const plain = appWith(false);
    const asked = ['/healthz', '/HEALTHZ', '/healthz/', '/healthz?probe=1', '/healthz//', '/healthz/more', '/health', '/callback', '/Callback/', '/', '/other', '/%68ealthz'];
    for (const path of asked) {
      for (const method of ['get', 'post'] as const) {
        const [a, b] = await Promise.all([request(gated)[method](path), request(plain)[method](path)]);
        expect({ method, path, status: a.status, body: a.body as unknown }).toEqual({ method, path, status: b.status, body: b.body as unknown });
      }
    }
    expect((await request(gated).get('/healthz')).body).toEqual({ label: 'healthz', url: '/healthz' });
  });
});
