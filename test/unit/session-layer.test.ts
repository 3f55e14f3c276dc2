import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Request } from 'express';
import type { SessionData } from 'express-session';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseSessionStore } from '../../src/sessions/database-store.js';
import { GuardedSessionStore } from '../../src/sessions/guarded-store.js';
import { createSessionLayer } from '../../src/sessions/session-layer.js';
import { SignedIdSessionStore } from '../../src/sessions/signed-id-store.js';
import { createSessionIdSigner } from '../../src/sessions/signed-ids.js';
import type { Callback } from '../../src/sessions/types.js';
import { openTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { one } from '../helpers/sql.js';

const NAME = 'pfc_session';
const IDLE = 30 * 60;
const ABSOLUTE = 12 * 3600;
const START = 1_800_000_000;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-layer-'));
let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase(dataDir);
});
afterAll(async () => {
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A store that refuses writes, for the failure path. */
class RefusingStore extends SignedIdSessionStore {
  override set(_cookieValue: string, _session: SessionData, callback?: Callback): void {
    callback?.(new Error('the store refused the write'));
  }
}

/** A small app over the session layer and a real store; its clock is `clock.now` (epoch seconds). */
function layerApp(options: { refuseWrites?: boolean; guarded?: boolean } = {}) {
  const clock = { now: START };
  const signer = createSessionIdSigner('a secret of at least thirty-two characters long', NAME);
  const inner = new DatabaseSessionStore(database.handle.db, { defaultTtlMs: IDLE * 1000, now: () => clock.now * 1000 });
  const signed = options.refuseWrites ? new RefusingStore(inner, signer) : new SignedIdSessionStore(inner, signer);
  // As the app has it: the guarded store skips rewriting an unchanged session within a minute.
  const store = options.guarded ? new GuardedSessionStore(signed, { cookieName: NAME, readTimeoutMs: 1000, touchAfterSeconds: 60 }) : signed;
  const app = express();
  const layer = createSessionLayer({ name: NAME, store, newId: () => signer.generate(), rollingSeconds: IDLE, absoluteSeconds: ABSOLUTE, cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: false }, nowSeconds: () => clock.now, response: app.response });
  const data = (req: Request) => (req as unknown as Record<string, Record<string, unknown> | undefined>)[NAME];
  app.use(layer.middleware);
  app.get('/read', (req, res) => {
    const descriptor = Object.getOwnPropertyDescriptor(req, NAME);
    res.json({ data: data(req), plain: descriptor !== undefined && 'value' in descriptor, ownEnd: Object.hasOwn(res, 'end') || Object.hasOwn(res, 'writeHead') });
  });
  app.post('/put', (req, res) => {
    Object.assign(data(req)!, { note: String(req.query.note) });
    res.send('ok');
  });
  app.post('/sign-in', (req, res) => {
    layer.newIdFor(req);
    Object.assign(data(req)!, { userSub: 'auth0|someone' });
    res.send('ok');
  });
  app.post('/sign-out', (req, res) => {
    (req as unknown as Record<string, unknown>)[NAME] = undefined;
    res.send('bye');
  });
  app.get('/stream', (req, res) => {
    Object.assign(data(req)!, { note: 'before the headers' });
    res.write('first part ');
    Object.assign(data(req)!, { later: 'after the headers' });
    res.end('last part');
  });
  app.get('/stream-slowly', (req, res) => {
    Object.assign(data(req)!, { note: 'streamed' });
    res.write('first part ');
    clock.now += 45;
    res.end('last part');
  });
  app.use(((err, _req, res, _next) => {
    res.status(503).send(`failed: ${(err as Error).message}`);
  }) as ErrorRequestHandler);
  return { app, clock, signer, store: inner };
}

const sessionCookie = (res: request.Response) => ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith(`${NAME}=`));
const valueOf = (cookie: string) => decodeURIComponent(cookie.split(';')[0]!.slice(NAME.length + 1));
const rowOf = (id: string) => one<{ data: string }>(database.handle, 'SELECT data FROM sessions WHERE id = ?', id);
const idOf = (value: string) => value.split('.')[0]!;

async function started(t: ReturnType<typeof layerApp>, note = 'hello') {
  const res = await request(t.app).post(`/put?note=${note}`);
  return valueOf(sessionCookie(res)!);
}

describe('the session layer', () => {
  it('gives a request without a cookie an empty session, and stores and sets nothing while it stays empty', async () => {
    const t = layerApp();
    const res = await request(t.app).get('/read');
    expect(res.body.data).toEqual({});
    expect(sessionCookie(res)).toBeUndefined();
  });

  it('stores a session that gains data under a new signed id, which its cookie carries (HttpOnly, SameSite=Lax, Path=/, Expires at the idle deadline)', async () => {
    const t = layerApp();
    const res = await request(t.app).post('/put?note=hello');
    const cookie = sessionCookie(res)!;
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toContain(`Expires=${new Date((START + IDLE) * 1000).toUTCString()}`);
    const value = valueOf(cookie);
    expect(t.signer.verify(value)).toBe(idOf(value));
    expect(JSON.parse((await rowOf(idOf(value)))!.data)).toMatchObject({ header: { iat: START, uat: START, exp: START + IDLE }, data: { note: 'hello' } });
  });

  it('reads the session back as a plain property, and makes no per-response copies of the methods that save it', async () => {
    const t = layerApp();
    const value = await started(t);
    const res = await request(t.app).get('/read').set('cookie', `${NAME}=${value}`);
    expect(res.body).toEqual({ data: { note: 'hello' }, plain: true, ownEnd: false });
  });

  it('moves the idle deadline with each response; activity does not carry it past the absolute lifetime', async () => {
    const t = layerApp();
    const value = await started(t);
    t.clock.now = START + IDLE - 10;
    const res = await request(t.app).get('/read').set('cookie', `${NAME}=${value}`);
    expect(res.body.data).toEqual({ note: 'hello' });
    expect(sessionCookie(res)).toContain(`Expires=${new Date((START + 2 * IDLE - 10) * 1000).toUTCString()}`);
    for (let at = START + 2 * (IDLE - 10); at < START + ABSOLUTE - 60; at += IDLE - 10) {
      t.clock.now = at;
      await request(t.app).post(`/put?note=${at}`).set('cookie', `${NAME}=${value}`);
    }
    t.clock.now = START + ABSOLUTE - 60;
    const last = await request(t.app).get('/read').set('cookie', `${NAME}=${value}`);
    expect(sessionCookie(last)).toContain(`Expires=${new Date((START + ABSOLUTE) * 1000).toUTCString()}`);
  });

  it.each([
    ['past its idle timeout', IDLE + 1, {}],
    ['past its absolute lifetime, whatever the activity', ABSOLUTE + 1, {}],
    ["past the provider's session ceiling (less 30 s of leeway)", 100, { sessionExpiresAt: START + 120 }],
  ])('treats a session %s as none: the request gets an empty session, its entry is deleted and its cookie cleared', async (_what, later, extra) => {
    const t = layerApp();
    const value = await started(t);
    if ('sessionExpiresAt' in extra) {
      await request(t.app).post(`/put?note=ceiling`).set('cookie', `${NAME}=${value}`);
      const row = JSON.parse((await rowOf(idOf(value)))!.data);
      await new Promise<void>((resolve, reject) => t.store.set(idOf(value), { ...row, data: { ...row.data, ...extra } }, (err) => (err ? reject(err) : resolve())));
    } else if (later > ABSOLUTE) {
      // Kept active until a minute before the absolute lifetime, so only that can end it.
      const times = [];
      for (let at = START + IDLE - 60; at < START + ABSOLUTE - 60; at += IDLE - 60) times.push(at);
      for (const at of [...times, START + ABSOLUTE - 60]) {
        t.clock.now = at;
        expect((await request(t.app).post(`/put?note=${at}`).set('cookie', `${NAME}=${value}`)).status).toBe(200);
      }
    }
    t.clock.now = START + later;
    const res = await request(t.app).get('/read').set('cookie', `${NAME}=${value}`);
    expect(res.body.data).toEqual({});
    expect(sessionCookie(res)).toMatch(/^pfc_session=;.*Expires=Thu, 01 Jan 1970/);
    expect(await rowOf(idOf(value))).toBeUndefined();
  });

  it('leaves the cookie as the browser has it while the store skips an unchanged touch, and sends it again with each write', async () => {
    const t = layerApp({ guarded: true });
    const value = await started(t);
    const storedHeader = async () => (JSON.parse((await rowOf(idOf(value)))!.data) as { header: { uat: number; exp: number } }).header;
    t.clock.now = START + 30;
    const quiet = await request(t.app).get('/read').set('cookie', `${NAME}=${value}`);
    expect(quiet.body.data).toEqual({ note: 'hello' });
    expect(sessionCookie(quiet)).toBeUndefined();
    // The browser's cookie still expires when the stored session does.
    expect(await storedHeader()).toMatchObject({ uat: START, exp: START + IDLE });
    t.clock.now = START + 61;
    const moved = await request(t.app).get('/read').set('cookie', `${NAME}=${value}`);
    expect(sessionCookie(moved)).toBe(`${NAME}=${encodeURIComponent(value)}; Path=/; Expires=${new Date((START + 61 + IDLE) * 1000).toUTCString()}; HttpOnly; SameSite=Lax`);
    expect(await storedHeader()).toMatchObject({ uat: START + 61, exp: START + 61 + IDLE });
    t.clock.now = START + 70;
    const changed = await request(t.app).post('/put?note=changed').set('cookie', `${NAME}=${value}`);
    expect(sessionCookie(changed)).toContain(`Expires=${new Date((START + 70 + IDLE) * 1000).toUTCString()}`);
    expect(await storedHeader()).toMatchObject({ uat: START + 70, exp: START + 70 + IDLE });
  });

  it("saves a sign-in's session under a new id: the old entry is deleted and the cookie carries the new id", async () => {
    const t = layerApp();
    const before = await started(t);
    const res = await request(t.app).post('/sign-in').set('cookie', `${NAME}=${before}`);
    const after = valueOf(sessionCookie(res)!);
    expect(idOf(after)).not.toBe(idOf(before));
    expect(await rowOf(idOf(before))).toBeUndefined();
    expect(JSON.parse((await rowOf(idOf(after)))!.data).data).toEqual({ note: 'hello', userSub: 'auth0|someone' });
  });

  it('never gives new data to an unknown or ended id, even a genuinely signed one: a new id is made and the old value stays worthless', async () => {
    const t = layerApp();
    const planted = t.signer.generate();
    const res = await request(t.app).post('/put?note=victim').set('cookie', `${NAME}=${planted}`);
    const issued = valueOf(sessionCookie(res)!);
    expect(idOf(issued)).not.toBe(idOf(planted));
    expect(await rowOf(idOf(planted))).toBeUndefined();
    expect((await request(t.app).get('/read').set('cookie', `${NAME}=${planted}`)).body.data).toEqual({});
  });

  it('deletes the entry and clears the cookie when the session is emptied (sign-out)', async () => {
    const t = layerApp();
    const value = await started(t);
    const res = await request(t.app).post('/sign-out').set('cookie', `${NAME}=${value}`);
    expect(sessionCookie(res)).toMatch(/^pfc_session=;.*Expires=Thu, 01 Jan 1970/);
    expect(await rowOf(idOf(value))).toBeUndefined();
  });

  it('sets the cookie when the headers go out (a streamed response) and still saves what the response changed afterwards', async () => {
    const t = layerApp();
    const res = await request(t.app).get('/stream');
    expect(res.text).toBe('first part last part');
    const value = valueOf(sessionCookie(res)!);
    expect(JSON.parse((await rowOf(idOf(value)))!.data).data).toEqual({ note: 'before the headers', later: 'after the headers' });
  });

  it("stores the same expiry the cookie carries, even when time passes between a streamed response's headers and its end", async () => {
    const t = layerApp();
    const res = await request(t.app).get('/stream-slowly');
    const cookie = sessionCookie(res)!;
    expect(cookie).toContain(`Expires=${new Date((START + IDLE) * 1000).toUTCString()}`);
    expect(t.clock.now).toBe(START + 45);
    expect(JSON.parse((await rowOf(idOf(valueOf(cookie))))!.data).header).toEqual({ iat: START, uat: START, exp: START + IDLE });
  });

  it('hands a failed save to the error handler instead of sending the page as if it was saved', async () => {
    const t = layerApp({ refuseWrites: true });
    const res = await request(t.app).post('/put?note=lost');
    expect(res.status).toBe(503);
    expect(res.text).toBe('failed: the store refused the write');
  });
});
