import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { expressMessages } from '../../src/http/express-messages.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(options: http.ServerOptions, app: express.Express, seen: Array<[object | null, object | null]>): Promise<string> {
  const server = http.createServer(options);
  // Before Express runs: which prototypes node:http made the request and response with.
  server.on('request', (req, res) => seen.push([Object.getPrototypeOf(req), Object.getPrototypeOf(res)]));
  server.on('request', app);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function helloApp() {
  const app = express();
  app.get('/hello', (req, res) => {
    res.set('x-path', req.path).cookie('c', '1').status(201).json({ ip: req.ip, protocol: req.protocol, query: req.query });
  });
  return app;
}

describe('requests and responses born with the app prototypes', () => {
  it('makes every request and response with the app prototypes, so Express changes none', async () => {
    const app = helloApp();
    const messages = expressMessages();
    messages.use(app);
    const seen: Array<[object | null, object | null]> = [];
    const base = await serve(messages.options, app, seen);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/hello?x=${i}`);
      expect(res.status).toBe(201);
      expect(res.headers.get('x-path')).toBe('/hello');
      expect(res.headers.get('set-cookie')).toMatch(/^c=1;/);
      expect(await res.json()).toEqual({ ip: '127.0.0.1', protocol: 'http', query: { x: String(i) } });
    }
    expect(seen).toHaveLength(3);
    for (const [req, res] of seen) {
      expect(req).toBe(app.request);
      expect(res).toBe(app.response);
    }
  });

  it('makes plain node:http objects until the app is known, then the app ones', async () => {
    const app = helloApp();
    const messages = expressMessages();
    const server = http.createServer(messages.options);
    const seen: Array<{ expressMethods: boolean; appPrototypes: boolean }> = [];
    server.on('request', (req, res) => seen.push({ expressMethods: typeof (req as { get?: unknown }).get === 'function', appPrototypes: Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response }));
    server.on('request', app);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/hello`)).status).toBe(201);
    messages.use(app);
    expect((await fetch(`${base}/hello`)).status).toBe(201);
    expect(seen).toEqual([
      { expressMethods: false, appPrototypes: false },
      { expressMethods: true, appPrototypes: true },
    ]);
  });

  it("keeps what Express's prototypes held: the app, its settings and Express's methods", () => {
    const app = helloApp();
    app.set('trust proxy', 1);
    const before = { request: app.request, response: app.response };
    expressMessages().use(app);
    expect(app.request).not.toBe(before.request);
    expect((app.request as { app?: unknown }).app).toBe(app);
    expect((app.response as { app?: unknown }).app).toBe(app);
    expect(Object.getPrototypeOf(app.request)).toBe(Object.getPrototypeOf(before.request));
    expect(Object.getPrototypeOf(app.response)).toBe(Object.getPrototypeOf(before.response));
    expect(http.IncomingMessage.prototype.isPrototypeOf(app.request)).toBe(true);
    expect(http.ServerResponse.prototype.isPrototypeOf(app.response)).toBe(true);
  });

  it('without them node:http makes its own objects and Express has to change their prototypes', async () => {
    const app = helloApp();
    const seen: Array<[object | null, object | null]> = [];
    const base = await serve({}, app, seen);
    expect((await fetch(`${base}/hello`)).status).toBe(201);
    expect(seen[0]![0]).not.toBe(app.request);
  });

  it('refuses, naming the file to check, an app whose prototypes do not inherit from node:http', () => {
    const messages = expressMessages();
    expect(() => messages.use({ request: {}, response: Object.create(http.ServerResponse.prototype) as object })).toThrow(/express-messages\.ts/);
    expect(() => messages.use({ request: Object.create(http.IncomingMessage.prototype) as object, response: {} })).toThrow(/no longer inherit/);
  });
});
